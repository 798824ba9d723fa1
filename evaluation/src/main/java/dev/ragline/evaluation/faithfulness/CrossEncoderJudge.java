package dev.ragline.evaluation.faithfulness;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.core.Provenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Offline entailment judge on an ONNX cross-encoder (an NLI model such as a DeBERTa/MiniLM MNLI export): the pair
 * (passage text, claim) goes through the model and the score is the softmax probability of its entailment label
 * (a single-logit model is read through a sigmoid). Passages longer than the model's window are scored in windows
 * of whole sentences and the best window counts, so nothing is cut off unseen; a single sentence too long for the
 * window is truncated and counted ({@link #truncatedPairs()}). Not thread-safe.
 */
public final class CrossEncoderJudge implements SupportJudge, AutoCloseable {
    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean typeIds;
    private final int entailmentIndex;
    private final int maxTokens;
    private final double threshold;
    private final String modelSha256;
    private final AtomicLong truncated = new AtomicLong();

    /**
     * @param entailmentIndex index of the entailment logit, or -1 for a single-logit model
     * @param maxTokens       longest pair the model takes, special tokens included (512 for BERT-family models)
     */
    public CrossEncoderJudge(Path onnx, Path tokenizerJson, int entailmentIndex, int maxTokens, double threshold) {
        this.entailmentIndex = entailmentIndex;
        this.maxTokens = maxTokens;
        this.threshold = threshold;
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "true",
                    "padding", "false", "truncation", "only_first", "maxLength", String.valueOf(maxTokens)));
            this.session = environment.createSession(onnx.toString(), new OrtSession.SessionOptions());
            this.typeIds = session.getInputNames().contains("token_type_ids");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot load cross-encoder " + onnx + ": " + e.getMessage(), e);
        }
        this.modelSha256 = Provenance.sha256(onnx);
    }

    /**
     * Opens a model folder: {@code model.onnx}, {@code tokenizer.json} and, for a multi-label model,
     * {@code config.json} whose {@code id2label} names the entailment label.
     */
    public static CrossEncoderJudge open(Path folder, double threshold) {
        Path onnx = folder.resolve("model.onnx"), tokenizer = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(onnx) || !Files.isRegularFile(tokenizer))
            throw new IllegalArgumentException("cross-encoder folder " + folder + " needs model.onnx and tokenizer.json");
        return new CrossEncoderJudge(onnx, tokenizer, entailmentIndex(folder.resolve("config.json")), 512, threshold);
    }

    /** The entailment label's index from a Hugging Face config.json; -1 when there is no config (single logit). */
    static int entailmentIndex(Path config) {
        if (!Files.isRegularFile(config)) return -1;
        try {
            JsonNode labels = new ObjectMapper().readTree(config.toFile()).path("id2label");
            for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().asText().toLowerCase(Locale.ROOT).contains("entail")) return Integer.parseInt(e.getKey());
            }
            if (labels.size() <= 1) return -1;
            throw new IllegalArgumentException(config + ": no entailment label among " + labels);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
    }

    @Override
    public String name() {
        return "cross-encoder";
    }

    @Override
    public double threshold() {
        return threshold;
    }

    public String modelSha256() {
        return modelSha256;
    }

    /** Pairs whose single sentence and claim exceeded the model window and were truncated. */
    public long truncatedPairs() {
        return truncated.get();
    }

    @Override
    public double score(String claim, List<String> passages) {
        double best = 0;
        for (String window : windows(claim, passages)) best = Math.max(best, entailment(window, claim));
        return best;
    }

    /** Consecutive sentences of each passage, as many as fit with the claim in the model's window. */
    List<String> windows(String claim, List<String> passages) {
        List<String> out = new ArrayList<>();
        for (String passage : passages) {
            if (pairLength(passage, claim) <= maxTokens) {
                out.add(passage);
                continue;
            }
            StringBuilder window = new StringBuilder();
            for (String sentence : ClaimSplitter.sentences(passage)) {
                String candidate = window.isEmpty() ? sentence : window + " " + sentence;
                if (window.isEmpty() || pairLength(candidate, claim) <= maxTokens) {
                    window.setLength(0);
                    window.append(candidate);
                } else {
                    out.add(window.toString());
                    window.setLength(0);
                    window.append(sentence);
                }
            }
            if (!window.isEmpty()) out.add(window.toString());
        }
        return out;
    }

    private int pairLength(String premise, String hypothesis) {
        // Untruncated length: the tokenizer truncates, so count the parts (+3 for [CLS] and two [SEP]).
        return tokenizer.encode(premise, false, false).getIds().length
                + tokenizer.encode(hypothesis, false, false).getIds().length + 3;
    }

    private double entailment(String premise, String hypothesis) {
        if (pairLength(premise, hypothesis) > maxTokens) truncated.incrementAndGet();
        Encoding enc = tokenizer.encode(premise, hypothesis);
        long[][] ids = {enc.getIds()}, mask = {enc.getAttentionMask()}, types = {enc.getTypeIds()};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, mask));
            if (typeIds) inputs.put("token_type_ids", OnnxTensor.createTensor(environment, types));
            try (OrtSession.Result result = session.run(inputs)) {
                float[] logits = ((float[][]) result.get(0).getValue())[0];
                if (entailmentIndex < 0) return 1 / (1 + Math.exp(-logits[0]));
                if (entailmentIndex >= logits.length)
                    throw new IllegalStateException("entailment index " + entailmentIndex + " but " + logits.length + " logits");
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float l : logits) max = Math.max(max, l);
                for (float l : logits) sum += Math.exp(l - max);
                return Math.exp(logits[entailmentIndex] - max) / sum;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cross-encoder inference failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            tokenizer.close();
        }
    }
}
