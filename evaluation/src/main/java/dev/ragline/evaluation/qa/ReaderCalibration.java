package dev.ragline.evaluation.qa;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragline.core.Chunk;
import dev.ragline.core.Encoder;
import dev.ragline.core.Vectors;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.evaluation.retrieval.ExactSearch;
import dev.ragline.generation.reader.ExtractiveReader;
import dev.ragline.generation.reader.ReaderSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the reader's abstention threshold for the way the service reads: the question against the top-k
 * retrieved passages, not one gold paragraph (a maximum over several passages' margins runs higher than one
 * paragraph's, so the single-paragraph threshold from training answers too often). Runs on the reader's
 * validation articles only (never the held-out ones), picks the threshold with the best overall F1 there, and
 * writes it into the provenance file the service reads ({@code noAnswer.threshold}; the single-paragraph one is
 * kept as {@code noAnswer.singlePassageThreshold}).
 *
 * <pre>ReaderCalibration --squad ../shared/datasets/squad2/dev-shared.json --model generation/models/NAME.onnx [--k 3] [--write]
 *   [--dump FILE]</pre>
 */
public final class ReaderCalibration {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReaderCalibration() {
    }

    /** Per question: the margin and the text the reader would answer, with the gold answers. */
    record Scored(double margin, String answer, List<String> golds) {
    }

    /** The threshold with the best mean F1 over {@code scored}, and that F1 (abstain = empty prediction). */
    static double[] bestThreshold(List<Scored> scored) {
        double[] margins = scored.stream().mapToDouble(Scored::margin).filter(Double::isFinite).sorted().distinct().toArray();
        if (margins.length == 0) return new double[]{0, f1At(scored, 0)};
        // Candidates: below every margin (answer all), between neighbours, and the highest (abstain on all).
        List<Double> candidates = new ArrayList<>();
        candidates.add(margins[0] - 1e-6);
        for (int i = 1; i < margins.length; i++) candidates.add((margins[i - 1] + margins[i]) / 2);
        candidates.add(margins[margins.length - 1]);
        double bestF1 = -1, bestT = Double.POSITIVE_INFINITY;
        for (double t : candidates) {
            double f1 = f1At(scored, t);
            if (f1 > bestF1) {
                bestF1 = f1;
                bestT = t;
            }
        }
        return new double[]{bestT, bestF1};
    }

    /** Mean F1 in percent when answering exactly the questions whose margin is above {@code threshold}. */
    static double f1At(List<Scored> scored, double threshold) {
        double f1 = 0;
        for (Scored s : scored) f1 += SquadMetrics.bestF1(s.margin() > threshold ? s.answer() : "", s.golds());
        return 100 * f1 / scored.size();
    }

    static List<Scored> score(SquadDataset data, ExtractiveReader reader, Encoder encoder, int k) {
        List<Chunk> index = SquadEval.index(data);
        List<SquadEval.Item> items = SquadEval.items(data, index, 0);
        List<float[]> vectors = encoder.embedPassages(index.stream().map(Chunk::text).toList());
        Map<String, Chunk> byId = new HashMap<>();
        index.forEach(c -> byId.put(c.id(), c));
        ExactSearch search = new ExactSearch(index.stream().map(Chunk::id).toList(), vectors);
        List<Scored> out = new ArrayList<>();
        for (SquadEval.Item it : items) {
            List<Chunk> top = search.search(encoder.embedQuery(it.question().question()), k).stream().map(byId::get).toList();
            var reading = reader.read(it.question().question(), top.stream().map(Chunk::text).toList());
            String answer = reading.best() == null ? ""
                    : top.get(reading.best().passage()).text().substring(reading.best().start(), reading.best().end());
            out.add(new Scored(reading.margin(), answer, it.question().answers()));
            if (out.size() % 200 == 0) System.err.printf("  %d/%d%n", out.size(), items.size());
        }
        return out;
    }

    /**
     * Writes, per question, the top-k retrieved passages (cosine score, whether it is the gold paragraph) and every
     * reader window's logits, one JSON line each: the input of {@code generation/training/reader/retrieved_rules.py},
     * which compares ways of choosing the span and abstaining over several passages.
     */
    static void dump(SquadDataset data, ExtractiveReader reader, Encoder encoder, int k, Path out) throws IOException {
        List<Chunk> index = SquadEval.index(data);
        List<SquadEval.Item> items = SquadEval.items(data, index, 0);
        List<float[]> vectors = encoder.embedPassages(index.stream().map(Chunk::text).toList());
        ObjectMapper compact = new ObjectMapper();
        try (var w = Files.newBufferedWriter(out)) {
            int done = 0;
            for (SquadEval.Item it : items) {
                float[] q = encoder.embedQuery(it.question().question());
                Integer[] order = new Integer[index.size()];
                double[] cos = new double[index.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                    cos[i] = Vectors.dot(q, vectors.get(i));
                }
                java.util.Arrays.sort(order, (a, b) -> Double.compare(cos[b], cos[a]));
                List<Chunk> top = new ArrayList<>();
                List<Map<String, Object>> passages = new ArrayList<>();
                for (int r = 0; r < k; r++) {
                    Chunk c = index.get(order[r]);
                    top.add(c);
                    passages.add(Map.of("text", c.text(), "cos", cos[order[r]], "gold", c.equals(it.gold())));
                }
                List<Map<String, Object>> windows = new ArrayList<>();
                for (var l : reader.logits(it.question().question(), top.stream().map(Chunk::text).toList()))
                    windows.add(Map.of("passage", l.passage(), "tokens", l.ids().length, "start", l.start(), "end", l.end(),
                            "answerable", l.answerable()));
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", it.question().id());
                line.put("question", it.question().question());
                line.put("golds", it.question().answers());
                line.put("passages", passages);
                line.put("windows", windows);
                w.write(compact.writeValueAsString(line));
                w.newLine();
                if (++done % 200 == 0) System.err.printf("  %d/%d%n", done, items.size());
            }
        }
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--write")) o.put("write", "true");
            else if (args[i].startsWith("--") && i + 1 < args.length) o.put(args[i].substring(2), args[++i]);
            else throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        Path model = Path.of(o.getOrDefault("model", SquadEval.DEFAULT_MODEL));
        Path provenance = SquadEval.provenancePath(model);
        ObjectNode prov = (ObjectNode) JSON.readTree(provenance.toFile());
        Set<String> validation = new LinkedHashSet<>();
        prov.get("validationArticles").forEach(t -> validation.add(t.asText()));
        int k = Integer.parseInt(o.getOrDefault("k", "3"));
        SquadDataset data = SquadDataset.read(Path.of(o.get("squad"))).only(validation);
        System.err.printf("validation articles %s: %d questions, top-%d retrieved%n", validation, data.questionCount(), k);
        Map<String, Object> result = new LinkedHashMap<>();
        String base = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        try (ExtractiveReader reader = ExtractiveReader.open(model, model.resolveSibling(base + ".tokenizer.json"),
                ReaderSettings.read(provenance), 2);
             var encoder = Encoders.open(EncoderConfig.of(o.getOrDefault("encoder", "bge-small-en-v1.5-q")))) {
            if (o.containsKey("dump")) {
                dump(data, reader, encoder, k, Path.of(o.get("dump")));
                System.err.println("wrote " + o.get("dump"));
                return;
            }
            List<Scored> scored = score(data, reader, encoder, k);
            double[] best = bestThreshold(scored);
            double current = reader.settings().threshold();
            result.put("questions", scored.size());
            result.put("k", k);
            result.put("encoder", encoder.modelId());
            result.put("threshold", best[0]);
            result.put("f1", Math.round(best[1] * 100) / 100.0);
            result.put("previousThreshold", current);
            result.put("f1AtPreviousThreshold", Math.round(f1At(scored, current) * 100) / 100.0);
        }
        System.out.println(JSON.writeValueAsString(result));
        if (o.containsKey("write")) {
            ObjectNode noAnswer = (ObjectNode) prov.get("noAnswer");
            if (!noAnswer.has("singlePassageThreshold")) noAnswer.set("singlePassageThreshold", noAnswer.get("threshold"));
            noAnswer.put("threshold", (double) result.get("threshold"));
            noAnswer.set("retrievedCalibration", JSON.valueToTree(result));
            Files.writeString(provenance, JSON.writeValueAsString(prov));
            System.err.println("wrote " + provenance);
        }
    }
}
