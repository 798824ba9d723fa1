package dev.ragline.generation;

import dev.ragline.core.Chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Answers a question from retrieved passages only: builds the {@link GroundedPrompt} within the generator's
 * context window, generates (with the span grammar when the generator enforces grammars and
 * {@code constrained} is on), and parses the reply into answer and citations.
 */
public final class GroundedAnswerer implements Answerer {
    /** Default cap on answer length, in tokens. */
    public static final int DEFAULT_MAX_ANSWER_TOKENS = 64;

    private final Generator generator;
    private final int maxAnswerTokens;
    private final boolean constrained;
    private final boolean ownsGenerator;

    /** Constrained decoding where the generator supports it, answers up to {@value #DEFAULT_MAX_ANSWER_TOKENS} tokens. */
    public GroundedAnswerer(Generator generator) {
        this(generator, DEFAULT_MAX_ANSWER_TOKENS, true);
    }

    /**
     * @param constrained restrict the output to spans of the passages or the abstain phrase (only where
     *                    {@link Generator#supportsGrammar()}; remote servers are prompted, not constrained)
     */
    public GroundedAnswerer(Generator generator, int maxAnswerTokens, boolean constrained) {
        this(generator, maxAnswerTokens, constrained, false);
    }

    /** An answerer that closes {@code generator} when it is closed. */
    public static GroundedAnswerer owning(Generator generator, int maxAnswerTokens, boolean constrained) {
        return new GroundedAnswerer(generator, maxAnswerTokens, constrained, true);
    }

    private GroundedAnswerer(Generator generator, int maxAnswerTokens, boolean constrained, boolean ownsGenerator) {
        this.ownsGenerator = ownsGenerator;
        this.generator = Objects.requireNonNull(generator, "generator");
        if (maxAnswerTokens < 1) throw new IllegalArgumentException("maxAnswerTokens must be >= 1");
        if (maxAnswerTokens >= generator.contextWindow())
            throw new IllegalArgumentException("maxAnswerTokens " + maxAnswerTokens + " leaves no room in a context of "
                    + generator.contextWindow());
        this.maxAnswerTokens = maxAnswerTokens;
        this.constrained = constrained && generator.supportsGrammar();
    }

    public Generator generator() {
        return generator;
    }

    @Override
    public String modelId() {
        return generator.modelId();
    }

    @Override
    public void close() {
        if (ownsGenerator) generator.close();
    }

    /** Tokens go to {@code listener} as they are generated, then the parsed answer with its citations. */
    @Override
    public GroundedAnswer answer(String question, List<Chunk> passages, AnswerListener listener) {
        Objects.requireNonNull(passages, "passages");
        GroundedPrompt prompt = prompt(question, passages);
        GroundedAnswer result;
        if (prompt.passages().isEmpty()) {
            // Nothing to ground an answer in: abstain without asking the model.
            result = new GroundedAnswer(GroundedPrompt.ABSTAIN, true, List.of(), 0, "", 0, prompt.omittedPassages(),
                    0, 0, 0, false);
            if (listener != null) listener.onToken(GroundedPrompt.ABSTAIN);
        } else {
            String grammar = constrained ? SpanGrammar.build(prompt.shownTexts()) : null;
            var request = new GenerationRequest(prompt.system(), prompt.user(), maxAnswerTokens, grammar);
            Generation g = generator.generate(request, listener == null ? t -> { } : listener::onToken);
            result = toAnswer(prompt, g);
        }
        if (listener != null) listener.onComplete(result);
        return result;
    }

    /** The prompt this answerer would send (for inspection and tests). */
    public GroundedPrompt prompt(String question, List<Chunk> passages) {
        int budget = generator.contextWindow() - maxAnswerTokens;
        return GroundedPrompt.build(question, passages, budget, generator::countTokens);
    }

    static GroundedAnswer toAnswer(GroundedPrompt prompt, Generation g) {
        AnswerParser.Parsed p = AnswerParser.parse(g.text(), prompt.passages().size());
        List<Citation> citations = new ArrayList<>();
        for (int n : p.passages()) citations.add(cite(n, prompt.passages().get(n - 1), prompt.shownTexts().get(n - 1), p.answer()));
        String answer = p.answer();
        // The model saw escaped text: report the original characters of a span found verbatim.
        for (Citation c : citations) {
            if (c.verbatim()) {
                answer = prompt.passages().get(c.passage() - 1).text().substring(c.start(), c.end());
                break;
            }
        }
        return new GroundedAnswer(answer, p.abstained(), citations, p.dropped(), g.text(), prompt.passages().size(),
                prompt.omittedPassages(), g.promptTokens(), g.completionTokens(), g.millis(), g.truncated());
    }

    private static Citation cite(int n, Chunk chunk, String shown, String answer) {
        int start = answer.isEmpty() ? -1 : shown.indexOf(answer);
        if (start < 0 && !answer.isEmpty()) start = shown.toLowerCase(Locale.ROOT).indexOf(answer.toLowerCase(Locale.ROOT));
        int end = start + answer.length();
        if (start < 0 || end > chunk.text().length()) return new Citation(n, chunk.documentId(), chunk.id(), -1, -1, -1, -1);
        return new Citation(n, chunk.documentId(), chunk.id(), start, end, chunk.startOffset() + start, chunk.startOffset() + end);
    }
}
