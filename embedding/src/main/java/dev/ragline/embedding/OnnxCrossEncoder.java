package dev.ragline.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.ragline.core.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * A BERT-family cross-encoder on ONNX Runtime, as a LangChain4j {@link ScoringModel}: each (query, passage) pair is
 * tokenised as {@code [CLS] query [SEP] passage [SEP]} with the model's own {@code tokenizer.json}, the model
 * returns one relevance logit per pair ({@code [batch, 1]} or {@code [batch]}), and that raw logit is the score
 * (higher is more relevant), as LangChain4j's {@code OnnxScoringModel} returns by default. Same shape as that
 * class, which is not published for the LangChain4j version we build on; unlike it, pairs are run in batches of
 * similar length (one padded batch of 50 long pairs costs more than several tight ones) and the session is closed
 * by {@link #close()}. Pairs over {@code maxTokens} are cut longest-first by the tokenizer. Thread-safe.
 */
public final class OnnxCrossEncoder implements ScoringModel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxCrossEncoder.class);

    private final String modelId;
    private final String modelSha256;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean takesTokenTypes;
    private final int batchSize;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OnnxCrossEncoder(Path onnx, Path tokenizerJson, int maxTokens, int intraOpThreads, int batchSize)
            throws OrtException, IOException {
        this.modelId = onnx.toAbsolutePath().toString();
        this.modelSha256 = Provenance.sha256(onnx);
        this.batchSize = batchSize;
        this.environment = OrtEnvironment.getEnvironment();
        this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "true",
                "padding", "false", "truncation", "longest_first", "maxLength", String.valueOf(maxTokens)));
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (intraOpThreads > 0) options.setIntraOpNumThreads(intraOpThreads);
            this.session = environment.createSession(onnx.toString(), options);
        } catch (OrtException | RuntimeException e) {
            tokenizer.close();
            throw e;
        }
        Set<String> inputs = session.getInputNames();
        if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
            close();
            throw new IllegalArgumentException(onnx + " is not a BERT-style cross-encoder: inputs are " + inputs);
        }
        long[] shape = ((TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape();
        if (shape.length > 2 || (shape.length == 2 && shape[1] != 1)) {
            close();
            throw new IllegalArgumentException(onnx + " must output one relevance logit per pair ([batch, 1]), has "
                    + Arrays.toString(shape));
        }
        this.takesTokenTypes = inputs.contains("token_type_ids");
    }

    /**
     * Opens {@code model} (an {@code .onnx} file) with {@code tokenizer} (its {@code tokenizer.json}).
     *
     * @param maxTokens      longest pair, special tokens included (512 for BERT-family models)
     * @param intraOpThreads ONNX Runtime threads, 0 = its default
     */
    public static OnnxCrossEncoder open(Path model, Path tokenizer, int maxTokens, int intraOpThreads) {
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("no cross-encoder model at " + model);
        if (!Files.isRegularFile(tokenizer)) throw new IllegalArgumentException("no tokenizer.json at " + tokenizer);
        if (maxTokens < 4) throw new IllegalArgumentException("maxTokens must be at least 4, was " + maxTokens);
        try {
            OnnxCrossEncoder encoder = new OnnxCrossEncoder(model, tokenizer, maxTokens, intraOpThreads, 8);
            LOG.info("opened cross-encoder {} (sha256 {})", model, encoder.modelSha256);
            return encoder;
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot load cross-encoder " + model + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizer, e);
        }
    }

    public String modelId() {
        return modelId;
    }

    public String modelSha256() {
        return modelSha256;
    }

    /** The token ids and type ids the model is given for this pair (for checks against a reference). */
    public long[][] tokenize(String query, String passage) {
        Encoding e = tokenizer.encode(query, passage);
        return new long[][]{e.getIds(), e.getTypeIds()};
    }

    /** Scores of the passages for the query, in the passages' order. */
    public List<Double> score(String query, List<String> passages) {
        return run(query, passages).scores;
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        Scored scored = run(query, segments.stream().map(TextSegment::text).toList());
        return Response.from(scored.scores, new TokenUsage(scored.tokens));
    }

    private record Scored(List<Double> scores, int tokens) {
    }

    private Scored run(String query, List<String> passages) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(passages, "passages");
        if (closed.get()) throw new IllegalStateException("cross-encoder " + modelId + " is closed");
        if (passages.isEmpty()) return new Scored(List.of(), 0);
        long[][] ids = new long[passages.size()][];
        long[][] types = new long[passages.size()][];
        int tokens = 0;
        for (int i = 0; i < passages.size(); i++) {
            Encoding e = tokenizer.encode(query, Objects.requireNonNull(passages.get(i), "passage " + i));
            ids[i] = e.getIds();
            types[i] = e.getTypeIds();
            tokens += ids[i].length;
        }
        // Sorted by length so that each batch pads little; scores go back in the caller's order.
        Integer[] order = IntStream.range(0, ids.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        double[] scores = new double[ids.length];
        for (int start = 0; start < order.length; start += batchSize) {
            int[] batch = new int[Math.min(batchSize, order.length - start)];
            for (int j = 0; j < batch.length; j++) batch[j] = order[start + j];
            runBatch(batch, ids, types, scores);
        }
        List<Double> out = new ArrayList<>(scores.length);
        for (double s : scores) out.add(s);
        return new Scored(out, tokens);
    }

    private void runBatch(int[] batch, long[][] ids, long[][] types, double[] out) {
        int rows = batch.length, width = 0;
        for (int i : batch) width = Math.max(width, ids[i].length);
        long[] inputIds = new long[rows * width], mask = new long[rows * width], typeIds = new long[rows * width];
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
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
                for (int r = 0; r < rows; r++) out[batch[r]] = logits.get(r);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cross-encoder " + modelId + " failed on a batch of " + rows + " pairs", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
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
        return "OnnxCrossEncoder[" + modelId + "]";
    }
}
