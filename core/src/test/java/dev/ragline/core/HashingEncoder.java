package dev.ragline.core;

import java.util.List;
import java.util.Locale;

/**
 * A deterministic stand-in encoder for unit tests of logic around encoders: bag of hashed lower-case
 * words, L2-normalised. Texts sharing words are similar. Tokens are whitespace words plus two specials.
 */
public final class HashingEncoder implements Encoder {
    private final int dimension;
    private final int maxTokens;

    public HashingEncoder(int dimension, int maxTokens) {
        this.dimension = dimension;
        this.maxTokens = maxTokens;
    }

    public HashingEncoder() {
        this(64, 512);
    }

    @Override public String modelId() { return "hashing-test-encoder"; }
    @Override public String modelSha256() { return "0".repeat(64); }
    @Override public int dimension() { return dimension; }
    @Override public int maxTokens() { return maxTokens; }

    @Override
    public int countTokens(String text) {
        String trimmed = text.strip();
        return 2 + (trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length);
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
        return passages.stream().map(this::embed).toList();
    }

    @Override
    public float[] embedQuery(String query) {
        return embed(query);
    }

    private float[] embed(String text) {
        float[] v = new float[dimension];
        for (String word : text.toLowerCase(Locale.ROOT).split("\\W+")) {
            if (!word.isEmpty()) v[Math.floorMod(word.hashCode(), dimension)] += 1f;
        }
        return Vectors.normalize(v);
    }
}
