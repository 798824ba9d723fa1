package dev.ragline.evaluation;

import dev.ragline.classifier.ClassifierArtifact;
import dev.ragline.classifier.ClassifierEvaluation;
import dev.ragline.classifier.IntentClassifier;
import dev.ragline.classifier.IntentModel;
import dev.ragline.classifier.data.DatasetReader;
import dev.ragline.embedding.EmbeddingCache;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.metrics.ClassificationMetrics;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A trained classifier artifact measured on a labelled test set by the classifier module's own
 * {@link ClassifierEvaluation}; shared by the classification and routing suites (options as a picocli mixin), and
 * kept per process so {@code all} embeds and evaluates once.
 */
final class ClassifierRun {
    private static final Map<String, Result> DONE = new HashMap<>();

    /** Options of both suites. */
    static final class Options {
        @Option(names = "--artifact", description = "Trained classifier artifact (default: classifier/models/clinc150-bge-small-en-v1.5.json; train one with classifier/bin/classifier).")
        Path artifact;

        @Option(names = "--test", description = "Labelled test data (default: <datasets>/clinc150/data_full.json, its test and oos_test splits).")
        Path test;

        @Option(names = "--format", description = "clinc, csv or jsonl (default: clinc for .json, else by extension).")
        String format;

        @Option(names = "--oos-label", defaultValue = "oos", description = "Label of out-of-scope examples (default: ${DEFAULT-VALUE}).")
        String oosLabel;

        @Option(names = "--embedding-cache", description = "The classifier's embedding cache (default: ~/.cache/ragline/embeddings, shared with classifier/bin/classifier).")
        Path cache;

        @Option(names = "--threads", defaultValue = "0", description = "ONNX intra-op threads (0 = runtime default).")
        int threads;
    }

    /**
     * @param evaluation what {@link ClassifierEvaluation#evaluate} returned
     * @param confusion  in-scope test examples, counts[gold][predicted] over {@code artifact.labels()}
     */
    record Result(Path artifactPath, ClassifierArtifact artifact, Path test, int examples,
                  Map<String, Object> evaluation, List<List<Long>> confusion) {
    }

    static Result run(Options o, Path datasets) {
        Path artifactPath = o.artifact != null ? o.artifact : Path.of("classifier/models/clinc150-bge-small-en-v1.5.json");
        Path test = o.test != null ? o.test : datasets.resolve("clinc150/data_full.json");
        String key = artifactPath.toAbsolutePath() + "|" + test.toAbsolutePath() + "|" + o.format + "|" + o.oosLabel;
        Result cached = DONE.get(key);
        if (cached != null) return cached;

        ClassifierArtifact artifact = ClassifierArtifact.read(artifactPath);
        List<LabeledText> rows = read(test, o.format);
        Path cache = o.cache != null ? o.cache
                : Path.of(System.getProperty("user.home"), ".cache", "ragline", "embeddings");
        try (OnnxEncoder encoder = Encoders.open(EncoderConfig.of(artifact.encoder().modelId()).withIntraOpThreads(o.threads))) {
            IntentModel model = IntentClassifier.of(artifact, encoder).model(); // refuses an artifact of another encoder
            float[][] x;
            try (Progress progress = Progress.stderr("embed " + test.getFileName(), rows.size())) {
                x = new EmbeddingCache(cache).embed(encoder, rows.stream().map(LabeledText::text).toList(),
                        (done, total) -> progress.advance(done - progress.done()));
            }
            LabeledEmbeddings data = new LabeledEmbeddings(x, rows.stream().map(LabeledText::label).toList());
            Map<String, Object> evaluation = ClassifierEvaluation.evaluate(model, data, o.oosLabel);
            Result result = new Result(artifactPath, artifact, test, rows.size(), evaluation,
                    confusion(model, data, o.oosLabel));
            DONE.put(key, result);
            return result;
        }
    }

    /** Test rows: CLINC's test + oos_test splits, or a whole CSV/JSONL file. */
    static List<LabeledText> read(Path test, String format) {
        String f = format != null ? format.toLowerCase(Locale.ROOT)
                : test.toString().endsWith(".json") ? "clinc" : test.toString().endsWith(".csv") ? "csv" : "jsonl";
        if (f.equals("clinc")) {
            Map<String, List<LabeledText>> splits = DatasetReader.readClinc(test);
            if (!splits.containsKey("test")) throw new IllegalArgumentException(test + " has no 'test' split");
            List<LabeledText> rows = new ArrayList<>(splits.get("test"));
            rows.addAll(splits.getOrDefault("oos_test", List.of()));
            return rows;
        }
        return DatasetReader.read(test, DatasetReader.Format.parse(f));
    }

    /** The classifier's predictions on in-scope rows, counted by its own confusion-matrix function. */
    private static List<List<Long>> confusion(IntentModel model, LabeledEmbeddings data, String oosLabel) {
        List<String> labels = model.artifact().labels();
        List<Integer> gold = new ArrayList<>(), predicted = new ArrayList<>();
        for (int i = 0; i < data.x().length; i++) {
            String g = data.labels().get(i);
            if (g.equals(oosLabel)) continue;
            gold.add(labels.indexOf(g));
            predicted.add(labels.indexOf(model.classify(data.x()[i], 1).label()));
        }
        long[][] m = ClassificationMetrics.confusionMatrix(gold.stream().mapToInt(Integer::intValue).toArray(),
                predicted.stream().mapToInt(Integer::intValue).toArray(), labels.size());
        List<List<Long>> out = new ArrayList<>();
        for (long[] row : m) out.add(java.util.Arrays.stream(row).boxed().toList());
        return out;
    }
}
