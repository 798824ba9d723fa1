package dev.ragline.core;

import java.util.List;

/**
 * A text encoder (BERT family) that produces L2-normalised embeddings. Passages and queries are
 * encoded differently for models with a query instruction (bge), hence two methods.
 */
public interface Encoder extends TokenCounter {

    /** Human-readable model id, for example {@code bge-small-en-v1.5} or {@code bge-small-en-v1.5-q}. */
    String modelId();

    /** SHA-256 of the ONNX model file: trained artifacts record it and refuse another encoder. */
    String modelSha256();

    int dimension();

    /** Longest input in the encoder's own tokens (special tokens included) that is not truncated. */
    int maxTokens();

    List<float[]> embedPassages(List<String> passages);

    float[] embedQuery(String query);

    default List<float[]> embedQueries(List<String> queries) {
        return queries.stream().map(this::embedQuery).toList();
    }
}
