package dev.ragline.generation;

import dev.ragline.core.Chunk;

import java.util.List;

/**
 * Answers a question from the given passages only, citing the passage the answer comes from, or abstains.
 * Two kinds: {@link GroundedAnswerer} prompts a {@link Generator} (a decoder LLM), and
 * {@link dev.ragline.generation.reader.ExtractiveReader} extracts a span with an encoder reader model.
 * Citations name the cited chunk by id; their number is the passage's position in {@link GroundedAnswer}'s
 * shown passages, never a position in any other list.
 */
public interface Answerer extends AutoCloseable {

    /** Model name, for responses, logs and provenance. */
    String modelId();

    /** Blocking answer. {@code passages}: most relevant first. */
    default GroundedAnswer answer(String question, List<Chunk> passages) {
        return answer(question, passages, null);
    }

    /**
     * Answer with streaming callbacks: text pieces go to {@code listener} as they are produced, then the final
     * answer, which is also returned. {@code listener} may be null.
     */
    GroundedAnswer answer(String question, List<Chunk> passages, AnswerListener listener);

    /** Releases the model. */
    @Override
    default void close() {
    }
}
