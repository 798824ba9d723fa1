package dev.ragline.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingInputType;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.ragline.core.Encoder;
import dev.ragline.core.Vectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * A BERT-family encoder on ONNX Runtime with a Hugging Face tokenizer: pooling per model (CLS or mean),
 * L2-normalised output, the model's query instruction for queries only, and batches of texts of similar token
 * length (padding a batch to a much longer member costs more CPU than batching saves). Texts longer than
 * {@link #maxTokens()} are truncated, counted in {@link #truncatedTexts()} and logged, never cut silently.
 * Thread-safe: ONNX Runtime sessions and the tokenizer may be used from several threads. Open with
 * {@link Encoders#open(EncoderConfig)}.
 * <p>
 * As a LangChain4j {@link EmbeddingModel} (passing LangChain4j's {@code AbstractEmbeddingModelIT}): text input only,
 * the {@code inputType} parameter ({@code QUERY} gets the query instruction, {@code DOCUMENT} or none does not), no
 * {@code dimensions} parameter (the model's size is fixed); anything else is refused with LangChain4j's
 * {@code UnsupportedFeatureException}. Listeners given at open time are notified of every request.
 */
public final class OnnxEncoder implements Encoder, EmbeddingModel, AutoCloseable {
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEncoder.class);
    private static final String HIDDEN_STATE_OUTPUT = "last_hidden_state";

    private final String modelId;
    private final String modelSha256;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final Pooling pooling;
    private final int maxTokens;
    private final String queryInstruction;
    private final int batchSize;
    private final String executionProvider;
    private final boolean takesTokenTypes;
    private final String outputName;
    private final int dimension;
    private final List<EncoderListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong truncatedTexts = new AtomicLong();
    private final List<EmbeddingModelListener> embeddingListeners;

    OnnxEncoder(String modelId, String modelSha256, OrtEnvironment environment, OrtSession session,
                HuggingFaceTokenizer tokenizer, Pooling pooling, int maxTokens, String queryInstruction, int batchSize,
                String executionProvider, List<EmbeddingModelListener> embeddingListeners) throws OrtException {
        this.embeddingListeners = List.copyOf(embeddingListeners);
        this.modelId = Objects.requireNonNull(modelId);
        this.modelSha256 = Objects.requireNonNull(modelSha256);
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.pooling = Objects.requireNonNull(pooling);
        this.maxTokens = maxTokens;
        this.queryInstruction = queryInstruction == null ? "" : queryInstruction;
        this.batchSize = batchSize;
        this.executionProvider = executionProvider;
        Set<String> inputs = session.getInputNames();
        if (!inputs.contains("input_ids") || !inputs.contains("attention_mask"))
            throw new IllegalArgumentException(modelId + " is not a BERT-style encoder: inputs are " + inputs
                    + ", expected input_ids, attention_mask (and optionally token_type_ids)");
        this.takesTokenTypes = inputs.contains("token_type_ids");
        this.outputName = hiddenStateOutput(session);
        this.dimension = hiddenSize(session, outputName);
    }

    /** The token-level output: {@code last_hidden_state} if present, else the first rank-3 float output. */
    private static String hiddenStateOutput(OrtSession session) throws OrtException {
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        if (outputs.containsKey(HIDDEN_STATE_OUTPUT)) return HIDDEN_STATE_OUTPUT;
        for (var output : outputs.entrySet()) {
            if (output.getValue().getInfo() instanceof TensorInfo info && info.getShape().length == 3)
                return output.getKey();
        }
        throw new IllegalArgumentException("model has no [batch, tokens, hidden] output to pool: " + outputs.keySet());
    }

    private int hiddenSize(OrtSession session, String output) throws OrtException {
        long[] shape = ((TensorInfo) session.getOutputInfo().get(output).getInfo()).getShape();
        if (shape[2] > 0) return (int) shape[2];
        return encode(List.of("dimension probe")).vectors().getFirst().length; // symbolic hidden size: ask the model
    }

    @Override public String modelId() { return modelId; }
    @Override public String modelName() { return modelId; }
    @Override public String modelSha256() { return modelSha256; }
    @Override public int dimension() { return dimension; }
    @Override public int maxTokens() { return maxTokens; }
    public Pooling pooling() { return pooling; }
    /** The instruction prepended to queries, empty when none (model has none or it was switched off). */
    public String queryInstruction() { return queryInstruction; }
    /** {@code CUDA} or {@code CPU}: the provider actually in use after any fallback. */
    public String executionProvider() { return executionProvider; }
    /** How many texts were longer than {@link #maxTokens()} and truncated, since this encoder was opened. */
    public long truncatedTexts() { return truncatedTexts.get(); }

    public void addBatchListener(EncoderListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeBatchListener(EncoderListener listener) {
        listeners.remove(listener);
    }

    @Override
    public int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        return tokenizer.encode(text).getIds().length; // the tokenizer adds [CLS]/[SEP] and does not truncate
    }

    @Override
    public List<float[]> embedPassages(List<String> passages) {
        return encode(passages).vectors();
    }

    @Override
    public float[] embedQuery(String query) {
        return embedQueries(List.of(query)).getFirst();
    }

    @Override
    public List<float[]> embedQueries(List<String> queries) {
        return encodeQueries(queries).vectors();
    }

    private Encoded encodeQueries(List<String> queries) {
        if (queryInstruction.isEmpty()) return encode(queries);
        List<String> instructed = new ArrayList<>(queries.size());
        for (String query : queries) instructed.add(queryInstruction + Objects.requireNonNull(query, "query"));
        return encode(instructed);
    }

    /** LangChain4j entry point: segments are embedded as passages (no query instruction). */
    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
        Encoded encoded = encode(segments.stream().map(TextSegment::text).toList());
        return Response.from(encoded.vectors().stream().map(Embedding::from).toList(), new TokenUsage(encoded.tokens()));
    }

    /**
     * LangChain4j's request API (reached through {@link EmbeddingModel#embed(EmbeddingRequest)}, which has already
     * refused parameters and content types we do not support): {@code QUERY} inputs get the query instruction.
     */
    @Override
    public EmbeddingResponse doEmbed(EmbeddingRequest request) {
        List<String> texts = request.inputs().stream().map(EmbeddingInput::text).toList();
        Encoded encoded = request.inputType() == EmbeddingInputType.QUERY ? encodeQueries(texts) : encode(texts);
        return EmbeddingResponse.builder()
                .embeddings(encoded.vectors().stream().map(Embedding::from).toList())
                .metadata(EmbeddingResponseMetadata.builder().modelName(modelId)
                        .tokenUsage(new TokenUsage(encoded.tokens())).build())
                .build();
    }

    @Override
    public Set<EmbeddingParameter<?>> supportedParameters() {
        return Set.of(EmbeddingRequestParameters.INPUT_TYPE);
    }

    @Override
    public List<EmbeddingModelListener> listeners() {
        return embeddingListeners;
    }

    private record Encoded(List<float[]> vectors, int tokens) {
    }

    private Encoded encode(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (closed.get()) throw new IllegalStateException(modelId + " encoder is closed");
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null) throw new IllegalArgumentException("text " + i + " is null");
            if (text.isBlank()) throw new IllegalArgumentException("text " + i + " is blank: nothing to embed");
        }
        if (texts.isEmpty()) return new Encoded(List.of(), 0);

        Encoding[] encodings = tokenizer.batchEncode(texts);
        long[][] ids = new long[texts.size()][];
        long[][] types = new long[texts.size()][];
        int truncated = 0, longest = 0, tokens = 0;
        for (int i = 0; i < encodings.length; i++) {
            ids[i] = encodings[i].getIds();
            types[i] = encodings[i].getTypeIds();
            if (ids[i].length > maxTokens) {
                truncated++;
                longest = Math.max(longest, ids[i].length);
                ids[i] = truncate(ids[i]);
                types[i] = truncate(types[i]);
            }
            tokens += ids[i].length;
        }
        if (truncated > 0) {
            truncatedTexts.addAndGet(truncated);
            LOG.warn("{}: {} of {} texts longer than {} tokens (longest {}) were truncated to {} tokens",
                    modelId, truncated, texts.size(), maxTokens, longest, maxTokens);
        }

        // Sort by length so each batch pads little, then write results back in the caller's order.
        Integer[] order = IntStream.range(0, ids.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        float[][] vectors = new float[ids.length][];
        for (int start = 0; start < order.length; start += batchSize) {
            int[] batch = new int[Math.min(batchSize, order.length - start)];
            for (int j = 0; j < batch.length; j++) batch[j] = order[start + j];
            runBatch(batch, ids, types, vectors);
        }
        return new Encoded(Arrays.asList(vectors), tokens);
    }

    /** Keeps the first maxTokens-1 tokens and the closing special token, as the tokenizer's own truncation does. */
    private long[] truncate(long[] tokens) {
        long[] kept = Arrays.copyOf(tokens, maxTokens);
        kept[maxTokens - 1] = tokens[tokens.length - 1];
        return kept;
    }

    private void runBatch(int[] batch, long[][] ids, long[][] types, float[][] out) {
        long started = System.nanoTime();
        int rows = batch.length;
        int width = 0, realTokens = 0;
        for (int i : batch) {
            width = Math.max(width, ids[i].length);
            realTokens += ids[i].length;
        }
        long[] inputIds = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] typeIds = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            long[] row = ids[batch[r]];
            System.arraycopy(row, 0, inputIds, r * width, row.length);
            Arrays.fill(mask, r * width, r * width + row.length, 1L);
            System.arraycopy(types[batch[r]], 0, typeIds, r * width, row.length);
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (takesTokenTypes)
                inputs.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(typeIds), shape));
            try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
                FloatBuffer hidden = ((OnnxTensor) result.get(outputName).orElseThrow()).getFloatBuffer();
                int size = hidden.remaining() / (rows * width);
                for (int r = 0; r < rows; r++) {
                    out[batch[r]] = Vectors.normalize(pool(hidden, r, width, size, ids[batch[r]].length));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException(modelId + ": ONNX Runtime failed on a batch of " + rows + " texts", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
        long nanos = System.nanoTime() - started;
        for (EncoderListener listener : listeners) listener.onBatch(rows, realTokens, nanos);
    }

    /** Pools row r of a [rows, width, size] tensor; the row's real tokens are its first {@code length}. */
    private float[] pool(FloatBuffer hidden, int row, int width, int size, int length) {
        float[] vector = new float[size];
        int base = row * width * size;
        if (pooling == Pooling.CLS) {
            hidden.get(base, vector);
            return vector;
        }
        for (int t = 0; t < length; t++) {
            int offset = base + t * size;
            for (int d = 0; d < size; d++) vector[d] += hidden.get(offset + d);
        }
        for (int d = 0; d < size; d++) vector[d] /= length;
        return vector;
    }

    @Override
    public void close() {
        // Idempotent: LangChain4j code and try-with-resources may both close the encoder.
        if (!closed.compareAndSet(false, true)) return;
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing the ONNX session of {} failed", modelId, e);
        } finally {
            tokenizer.close();
        }
    }

    @Override
    public String toString() {
        return "OnnxEncoder[" + modelId + ", " + pooling + ", maxTokens=" + maxTokens + ", " + executionProvider
                + ", instruction=" + !queryInstruction.isEmpty() + "]";
    }
}
