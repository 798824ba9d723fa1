package dev.ragline.generation;

import java.util.function.Consumer;

/**
 * A decoder LLM behind one small interface: the embedded GGUF reader ({@link LlamaGenerator}), any
 * OpenAI-compatible chat server or Ollama ({@link ChatModelGenerator}). {@link GroundedAnswerer} builds the
 * prompt; a generator only turns a system + user message into text.
 */
public interface Generator extends AutoCloseable {

    /** Model name as configured, for logs, metrics and provenance. */
    String modelId();

    /** Context window in the model's tokens: the prompt and the answer must fit together. */
    int contextWindow();

    /** Length of a text in the model's tokens (exact for the embedded model, an estimate for remote servers). */
    int countTokens(String text);

    /** Whether {@link GenerationRequest#grammar()} (GBNF) is enforced; remote chat APIs cannot. */
    boolean supportsGrammar();

    /** Blocking generation. */
    default Generation generate(GenerationRequest request) {
        return generate(request, token -> { });
    }

    /** Streaming generation: {@code onToken} receives each piece of text as it is decoded, then this returns. */
    Generation generate(GenerationRequest request, Consumer<String> onToken);

    /** Releases the model or client. */
    @Override
    default void close() {
    }
}
