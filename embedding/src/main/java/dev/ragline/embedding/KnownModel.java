package dev.ragline.embedding;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Models shipped inside LangChain4j's model jars (on our classpath): the ONNX file and tokenizer.json lie at
 * the jar root under these resource names. Facts per model are from the model cards.
 */
public enum KnownModel {
    BGE_SMALL_EN_V15("bge-small-en-v1.5", "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
            Pooling.CLS, 512, KnownModel.BGE_QUERY_INSTRUCTION),
    BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
            Pooling.CLS, 512, KnownModel.BGE_QUERY_INSTRUCTION),
    // sentence-transformers runs all-MiniLM-L6-v2 with max_seq_length 256 (its tokenizer.json says 128).
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json",
            Pooling.MEAN, 256, null),
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json",
            Pooling.MEAN, 256, null);

    /** bge v1.5's instruction for short queries that retrieve passages (passages get none). */
    public static final String BGE_QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

    private final String id;
    private final String onnxResource;
    private final String tokenizerResource;
    private final Pooling pooling;
    private final int maxTokens;
    private final String queryInstruction;

    KnownModel(String id, String onnxResource, String tokenizerResource, Pooling pooling, int maxTokens,
               String queryInstruction) {
        this.id = id;
        this.onnxResource = onnxResource;
        this.tokenizerResource = tokenizerResource;
        this.pooling = pooling;
        this.maxTokens = maxTokens;
        this.queryInstruction = queryInstruction;
    }

    public String id() { return id; }
    public String onnxResource() { return onnxResource; }
    public String tokenizerResource() { return tokenizerResource; }
    public Pooling pooling() { return pooling; }
    public int maxTokens() { return maxTokens; }
    /** The model's query instruction, or null when it has none. */
    public String queryInstruction() { return queryInstruction; }

    public static Optional<KnownModel> byId(String id) {
        String wanted = id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.id.equals(wanted)).findFirst();
    }
}
