package dev.ragline.generation;

import java.util.Objects;

/**
 * One generation: system instructions, the user message, an answer-length cap and an optional GBNF grammar
 * (only generators with {@link Generator#supportsGrammar()} apply it; others reject a request that has one).
 */
public record GenerationRequest(String system, String user, int maxTokens, String grammar) {
    public GenerationRequest {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(user, "user");
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
    }

    public GenerationRequest(String system, String user, int maxTokens) {
        this(system, user, maxTokens, null);
    }
}
