package dev.ragline.generation.reader;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ragline.core.Chunk;
import dev.ragline.generation.AnswerListener;
import dev.ragline.generation.Answerer;
import dev.ragline.generation.Citation;
import dev.ragline.generation.GroundedAnswer;
import dev.ragline.generation.GroundedPrompt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
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

/**
 * The offline answerer: an encoder fine-tuned for extractive question answering (SQuAD 2.0), on ONNX Runtime.
 * It reads the question against every passage (sliding windows over long ones), takes the best-scoring span
 * across all of them, and answers with that exact text, cited by the chunk it comes from; it abstains when the
 * no-answer margin (see {@link ReaderSettings}) does not clear the threshold chosen on validation articles.
 * The answer is always a verbatim span of a passage, so it cannot say anything the passages do not.
 *
 * <p>Inputs are built as in {@code generation/training/reader/features.py}: {@code [CLS] question [SEP]
 * window [SEP]}; {@code ReaderReferenceTest} checks that Java and the training code agree. Thread-safe.
 */
public final class ExtractiveReader implements Answerer {
    private static final Logger LOG = LoggerFactory.getLogger(ExtractiveReader.class);
    /** Resource names of the bundled reader inside this jar. */
    public static final String BUNDLED_MODEL = "dev/ragline/generation/ragline-reader-bge-small-v2.onnx";
    public static final String BUNDLED_TOKENIZER = "dev/ragline/generation/ragline-reader-bge-small-v2.tokenizer.json";
    public static final String BUNDLED_PROVENANCE = "dev/ragline/generation/ragline-reader-bge-small-v2.provenance.json";
    private static final Map<String, String> TOKENIZER_OPTIONS =
            Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false");
    private static final int BATCH = 16;

    private final String modelId;
    private final ReaderSettings settings;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final long cls, sep, pad;
    private volatile boolean closed;

    private ExtractiveReader(String modelId, ReaderSettings settings, OrtEnvironment environment, OrtSession session,
                             HuggingFaceTokenizer tokenizer) {
        this.modelId = modelId;
        this.settings = settings;
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.cls = specialId("[CLS]");
        this.sep = specialId("[SEP]");
        this.pad = specialId("[PAD]");
    }

    /** The reader bundled in this jar (bge-small-en-v1.5 fine-tuned on SQuAD 2.0, int8 weights). */
    public static ExtractiveReader bundled(int threads) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("ragline-reader");
            Path model = copy(BUNDLED_MODEL, dir.resolve("model.onnx"));
            Path tokenizer = copy(BUNDLED_TOKENIZER, dir.resolve("tokenizer.json"));
            Path provenance = copy(BUNDLED_PROVENANCE, dir.resolve("provenance.json"));
            return open(model, tokenizer, ReaderSettings.read(provenance), threads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the bundled reader", e);
        } finally {
            if (dir != null) deleteQuietly(dir); // the session holds the model in memory once created
        }
    }

    /**
     * A reader from files: an ONNX model with inputs {@code input_ids, attention_mask, token_type_ids} and
     * outputs {@code start_logits, end_logits, answerable_logit}, its tokenizer.json, and its settings.
     */
    public static ExtractiveReader open(Path model, Path tokenizerJson, ReaderSettings settings, int threads) {
        return open(model, tokenizerJson, settings, threads, true);
    }

    static ExtractiveReader open(Path model, Path tokenizerJson, ReaderSettings settings, int threads, boolean foldWeights) {
        Objects.requireNonNull(settings, "settings");
        HuggingFaceTokenizer tokenizer = null;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, TOKENIZER_OPTIONS);
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            OrtSession session;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                if (threads > 0) options.setIntraOpNumThreads(threads);
                // int8 weights are stored with DequantizeLinear in front of each MatMul; without the QDQ
                // transformations ONNX Runtime folds those constants to float weights once, at load, instead of
                // dequantizing every weight on every run.
                if (foldWeights) options.addConfigEntry("session.disable_quant_qdq", "1");
                session = environment.createSession(model.toString(), options);
            }
            for (String output : List.of("start_logits", "end_logits", "answerable_logit")) {
                if (!session.getOutputNames().contains(output)) {
                    session.close();
                    throw new IllegalArgumentException(model + " is not a reader model: it has no output " + output
                            + " (outputs " + session.getOutputNames() + ")");
                }
            }
            ExtractiveReader reader = new ExtractiveReader(settings.modelId(), settings, environment, session, tokenizer);
            LOG.info("opened reader {} (no-answer margin {} > {}, passage by {}, rank penalty {})", settings.modelId(),
                    settings.margin(), settings.threshold(), settings.pick(), settings.rankPenalty());
            return reader;
        } catch (OrtException e) {
            if (tokenizer != null) tokenizer.close();
            throw new IllegalStateException("cannot open reader model " + model + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer " + tokenizerJson, e);
        } catch (RuntimeException e) {
            if (tokenizer != null) tokenizer.close();
            throw e;
        }
    }

    @Override
    public String modelId() {
        return modelId;
    }

    public ReaderSettings settings() {
        return settings;
    }

    @Override
    public GroundedAnswer answer(String question, List<Chunk> passages, AnswerListener listener) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(passages, "passages");
        if (question.isBlank()) throw new IllegalArgumentException("question is empty");
        long started = System.nanoTime();
        Reading reading = read(question, passages.stream().map(Chunk::text).toList());
        GroundedAnswer result;
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (!reading.answers(settings)) {
            result = new GroundedAnswer(GroundedPrompt.ABSTAIN, true, List.of(), 0, GroundedPrompt.ABSTAIN,
                    passages.size(), 0, reading.tokens(), 0, millis, false);
        } else {
            Span best = reading.best();
            Chunk chunk = passages.get(best.passage());
            String text = chunk.text().substring(best.start(), best.end());
            var citation = new Citation(best.passage() + 1, chunk.documentId(), chunk.id(), best.start(), best.end(),
                    chunk.startOffset() + best.start(), chunk.startOffset() + best.end());
            result = new GroundedAnswer(text, false, List.of(citation), 0, text + " [" + (best.passage() + 1) + "]",
                    passages.size(), 0, reading.tokens(), best.end() - best.start() > 0 ? 1 : 0, millis, false);
        }
        if (listener != null) {
            listener.onToken(result.answer());
            listener.onComplete(result);
        }
        return result;
    }

    /** A span of passage {@code passage}, characters [start, end), with its start + end logit score. */
    public record Span(int passage, int start, int end, double score) {
    }

    /**
     * What the model read, for the passage it would answer from: that passage's best span over its windows, its
     * lowest no-answer score ({@code start[CLS] + end[CLS]}) and highest answerable logit over those windows,
     * their {@link ReaderSettings.Margin margin} less the settings' rank penalty per place below the first passage,
     * and the tokens read over all passages. Passages are compared by that margin (so a span in a passage whose own
     * [CLS] says "not here" does not win on raw span score) or, with {@link ReaderSettings.Pick#SPAN}, by span score.
     */
    public record Reading(Span best, double nullScore, double answerableLogit, double margin, int tokens) {
        /** Whether the margin clears the threshold: answer rather than abstain. */
        public boolean answers(ReaderSettings settings) {
            return best != null && margin > settings.threshold();
        }
    }

    /** Window logits for one input, exposed for the reference test. */
    public record WindowLogits(int passage, long[] ids, float[] start, float[] end, float answerable, Span best) {
    }

    /** Reads the question against every passage. */
    public Reading read(String question, List<String> passages) {
        return read(question, passages, settings);
    }

    /**
     * Reads as {@link #read(String, List)}, choosing the passage and its margin by {@code rule}'s margin, pick and
     * rank penalty (windows and span length stay this reader's own), so a calibration can compare rules on one model.
     */
    public Reading read(String question, List<String> passages, ReaderSettings rule) {
        List<WindowLogits> windows = logits(question, passages);
        int n = passages.size();
        Span[] best = new Span[n];
        double[] nullScore = new double[n], answerable = new double[n];
        Arrays.fill(nullScore, Double.POSITIVE_INFINITY);
        Arrays.fill(answerable, Double.NEGATIVE_INFINITY);
        int tokens = 0;
        for (WindowLogits w : windows) {
            int p = w.passage();
            tokens += w.ids().length;
            if (w.best() != null && (best[p] == null || w.best().score() > best[p].score())) best[p] = w.best();
            nullScore[p] = Math.min(nullScore[p], (double) w.start()[0] + w.end()[0]);
            answerable[p] = Math.max(answerable[p], w.answerable());
        }
        Reading reading = new Reading(null, Double.NaN, Double.NaN, Double.NEGATIVE_INFINITY, tokens);
        for (int p = 0; p < n; p++) {
            if (best[p] == null) continue;
            double margin = rule.margin().of(best[p].score(), nullScore[p], answerable[p]) - rule.rankPenalty() * p;
            boolean better = rule.pick() == ReaderSettings.Pick.SPAN
                    ? reading.best() == null || best[p].score() > reading.best().score()
                    : margin > reading.margin();
            if (better) reading = new Reading(best[p], nullScore[p], answerable[p], margin, tokens);
        }
        return reading;
    }

    /** Every window's logits and best span, in passage order. */
    public List<WindowLogits> logits(String question, List<String> passages) {
        ensureOpen();
        long[] q = tokenizer.encode(question).getIds();
        if (q.length > settings.maxQuestionTokens()) q = Arrays.copyOf(q, settings.maxQuestionTokens());
        List<Window> windows = new ArrayList<>();
        for (int p = 0; p < passages.size(); p++) windows.addAll(windows(p, q, passages.get(p)));
        // Similar lengths per batch pad little; results are returned in the original order.
        Integer[] order = new Integer[windows.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> windows.get(i).ids.length));
        WindowLogits[] out = new WindowLogits[windows.size()];
        for (int from = 0; from < order.length; from += BATCH) {
            int[] batch = new int[Math.min(BATCH, order.length - from)];
            for (int j = 0; j < batch.length; j++) batch[j] = order[from + j];
            run(windows, batch, out);
        }
        return List.of(out);
    }

    /** One model input: ids, token types, and each token's character span in the passage (null outside it). */
    private record Window(int passage, long[] ids, long[] types, int[][] offsets) {
    }

    private List<Window> windows(int passage, long[] question, String text) {
        Encoding encoding = tokenizer.encode(text);
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        int room = settings.maxLength() - question.length - 3;
        List<Window> out = new ArrayList<>();
        for (int start = 0; ; start += settings.stride()) {
            int stop = Math.min(start + room, ids.length);
            int n = question.length + 3 + (stop - start);
            long[] input = new long[n];
            long[] types = new long[n];
            int[][] offsets = new int[n][];
            int t = 0;
            input[t++] = cls;
            for (long id : question) input[t++] = id;
            input[t++] = sep;
            for (int i = start; i < stop; i++, t++) {
                input[t] = ids[i];
                types[t] = 1;
                offsets[t] = spans[i] == null ? null : new int[]{spans[i].getStart(), spans[i].getEnd()};
            }
            input[t] = sep;
            types[t] = 1;
            out.add(new Window(passage, input, types, offsets));
            if (stop >= ids.length) return out;
        }
    }

    private void run(List<Window> windows, int[] batch, WindowLogits[] out) {
        int rows = batch.length, width = 0;
        for (int i : batch) width = Math.max(width, windows.get(i).ids.length);
        long[] ids = new long[rows * width];
        long[] mask = new long[rows * width];
        long[] types = new long[rows * width];
        Arrays.fill(ids, pad);
        for (int r = 0; r < rows; r++) {
            Window w = windows.get(batch[r]);
            System.arraycopy(w.ids, 0, ids, r * width, w.ids.length);
            Arrays.fill(mask, r * width, r * width + w.ids.length, 1L);
            System.arraycopy(w.types, 0, types, r * width, w.ids.length);
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            inputs.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(types), shape));
            try (OrtSession.Result result = session.run(inputs)) {
                FloatBuffer start = ((OnnxTensor) result.get("start_logits").orElseThrow()).getFloatBuffer();
                FloatBuffer end = ((OnnxTensor) result.get("end_logits").orElseThrow()).getFloatBuffer();
                FloatBuffer answerable = ((OnnxTensor) result.get("answerable_logit").orElseThrow()).getFloatBuffer();
                for (int r = 0; r < rows; r++) {
                    Window w = windows.get(batch[r]);
                    float[] s = new float[w.ids.length], e = new float[w.ids.length];
                    start.get(r * width, s);
                    end.get(r * width, e);
                    out[batch[r]] = new WindowLogits(w.passage, w.ids, s, e, answerable.get(r), bestSpan(w, s, e));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException(modelId + ": ONNX Runtime failed on " + rows + " reader windows", e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** The highest start + end logit span inside the window's passage tokens, at most maxAnswerTokens long. */
    private Span bestSpan(Window w, float[] start, float[] end) {
        int lo = -1, hi = -1;
        for (int i = 0; i < w.offsets.length; i++) {
            if (w.offsets[i] == null) continue;
            if (lo < 0) lo = i;
            hi = i;
        }
        if (lo < 0) return null;
        double best = Double.NEGATIVE_INFINITY;
        int bi = -1, bj = -1;
        for (int i = lo; i <= hi; i++) {
            int last = Math.min(hi, i + settings.maxAnswerTokens() - 1);
            for (int j = i; j <= last; j++) {
                double score = (double) start[i] + end[j];
                if (score > best) {
                    best = score;
                    bi = i;
                    bj = j;
                }
            }
        }
        return new Span(w.passage, w.offsets[bi][0], w.offsets[bj][1], best);
    }

    private long specialId(String token) {
        long[] ids = tokenizer.encode(List.of(token), false, false).getIds();
        if (ids.length != 1) throw new IllegalArgumentException("tokenizer has no single " + token + " token");
        return ids[0];
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("reader " + modelId + " is closed");
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing reader {} failed", modelId, e);
        } finally {
            tokenizer.close();
        }
    }

    private static Path copy(String resource, Path target) throws IOException {
        try (InputStream in = ExtractiveReader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("reader resource " + resource + " is not on the classpath");
            Files.copy(in, target);
        }
        return target;
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.debug("could not delete {}", dir, e);
        }
    }
}
