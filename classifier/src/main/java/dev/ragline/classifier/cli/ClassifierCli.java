package dev.ragline.classifier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragline.classifier.ClassifierArtifact;
import dev.ragline.classifier.ClassifierEvaluation;
import dev.ragline.classifier.EncoderIdentity;
import dev.ragline.classifier.IncompatibleArtifactException;
import dev.ragline.classifier.IntentModel;
import dev.ragline.classifier.OosMethod;
import dev.ragline.classifier.data.DatasetReader;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.data.Sampling;
import dev.ragline.classifier.train.ClassifierTrainer;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.core.Provenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Command line: {@code train} (dataset -> artifact, prints metrics) and {@code report} (the Banking77 and
 * CLINC150 figures, written as one JSON report). See classifier/README.md for the exact commands.
 */
public final class ClassifierCli {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final String USAGE = """
            usage:
              train  --data FILE --format csv|jsonl|clinc --out ARTIFACT.json
                     [--validation FILE] [--test FILE] [--encoder bge-small-en-v1.5] [--oos-label oos] [--use-oos-train]
                     [--routing ROUTING.json [--groups GROUPS.json]]
                     [--target-accuracy 0.98] [--oos-recall 0.95] [--oos-method max_probability|energy|centroid_cosine|mahalanobis]
                     [--l2 0.01,0.001,...] [--seed 42] [--threads 2] [--cache DIR]
              report --datasets DIR --out REPORT.json [--artifact-out ARTIFACT.json] [--encoder bge-small-en-v1.5]
                     [--target-accuracy 0.98] [--oos-recall 0.95] [--seed 42] [--draws 10] [--shots 8] [--threads 2] [--cache DIR]
            """;

    private ClassifierCli() {
    }

    public static void main(String[] args) {
        int status;
        try {
            if (args.length == 0) throw new IllegalArgumentException("no command");
            switch (args[0]) {
                case "train" -> train(new Args(args, 1, Set.of("use-oos-train")));
                case "report" -> ClassifierReport.run(new Args(args, 1, Set.of()));
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'");
            }
            status = 0;
        } catch (IllegalArgumentException | IncompatibleArtifactException e) {
            System.err.println("error: " + e.getMessage());
            System.err.print(USAGE);
            status = 2;
        } catch (Exception e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status); // ONNX Runtime keeps non-daemon threads
    }

    static ClassifierTrainer.Options options(Args a) {
        ClassifierTrainer.Options o = ClassifierTrainer.Options.defaults()
                .withTargetSelectiveAccuracy(a.number("target-accuracy", 0.98));
        o = new ClassifierTrainer.Options(o.l2Grid(), o.maxIterations(), o.targetSelectiveAccuracy(),
                a.number("oos-recall", 0.95), o.oosMethod());
        String grid = a.get("l2", null);
        if (grid != null) o = o.withL2Grid(Arrays.stream(grid.split(",")).map(s -> Double.parseDouble(s.strip())).toList());
        String method = a.get("oos-method", null);
        if (method != null) o = o.withOosMethod(OosMethod.valueOf(method.toUpperCase(Locale.ROOT)));
        return o;
    }

    private static void train(Args a) throws Exception {
        Path data = Path.of(a.require("data"));
        DatasetReader.Format format = DatasetReader.Format.parse(a.require("format"));
        Path out = Path.of(a.require("out"));
        String validationFile = a.get("validation", null), testFile = a.get("test", null);
        String oosLabel = a.get("oos-label", "oos");
        boolean useOosTrain = a.flag("use-oos-train");
        long seed = (long) a.number("seed", 42);
        ClassifierTrainer.Options options = options(a);
        String model = a.get("encoder", "bge-small-en-v1.5");
        int threads = (int) a.number("threads", 2);
        Path cache = Path.of(a.get("cache", Embedder.DEFAULT_CACHE.toString()));
        String routingFile = a.get("routing", null), groupsFile = a.get("groups", null);
        a.checkAllUsed();
        if (groupsFile != null && routingFile == null) throw new IllegalArgumentException("--groups needs --routing");

        StringBuilder shas = new StringBuilder(Provenance.sha256(data));
        if (validationFile != null) shas.append(Provenance.sha256(Path.of(validationFile)));
        if (testFile != null) shas.append(Provenance.sha256(Path.of(testFile)));
        String datasetSha = shas.length() == 64 ? shas.toString()
                : Provenance.sha256(shas.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (Embedder embedder = new Embedder(model, threads, cache)) {
            // every split is embedded (and cached) on its own, then combined
            LabeledEmbeddings trainX, valX, testX = null;
            if (format == DatasetReader.Format.CLINC) {
                Map<String, List<LabeledText>> splits = DatasetReader.readClinc(data);
                trainX = embedder.embed("train", split(splits, "train"));
                if (useOosTrain) trainX = trainX.concat(embedder.embed("oos_train", split(splits, "oos_train")));
                valX = embedder.embed("val", split(splits, "val"));
                if (splits.containsKey("oos_val")) valX = valX.concat(embedder.embed("oos_val", splits.get("oos_val")));
                if (splits.containsKey("test")) {
                    testX = embedder.embed("test", splits.get("test"));
                    if (splits.containsKey("oos_test")) testX = testX.concat(embedder.embed("oos_test", splits.get("oos_test")));
                }
            } else {
                List<LabeledText> all = DatasetReader.read(data, format);
                LabeledEmbeddings allX = embedder.embed("data", all);
                if (validationFile != null) {
                    trainX = allX;
                    valX = embedder.embed("validation", DatasetReader.read(Path.of(validationFile), format));
                } else { // hold out 10% of every label
                    List<List<Integer>> split = Sampling.stratifiedHoldout(allX.labels(), 0.1, seed);
                    trainX = allX.select(split.get(0));
                    valX = allX.select(split.get(1));
                }
                if (testFile != null) testX = embedder.embed("test", DatasetReader.read(Path.of(testFile), format));
            }
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("seed", seed);
            extra.put("useOosTrain", useOosTrain);
            ClassifierTrainer.Result result = ClassifierTrainer.train(trainX, valX, oosLabel, options,
                    EncoderIdentity.of(embedder.encoder()),
                    new ClassifierTrainer.DatasetInfo(data.getFileName().toString(), datasetSha), extra);
            ClassifierArtifact artifact = result.artifact();
            Map<String, Object> printed = new LinkedHashMap<>();
            printed.put("validation", result.validationMetrics());
            if (testX != null) {
                Map<String, Object> testMetrics = ClassifierEvaluation.evaluate(new IntentModel(artifact), testX, oosLabel);
                printed.put("test", testMetrics);
                artifact = withTestMetrics(artifact, testMetrics);
                if (routingFile != null) {
                    Map<String, String> groups = new LinkedHashMap<>();
                    if (groupsFile != null)
                        JSON.readTree(Path.of(groupsFile).toFile()).properties().forEach(e ->
                                e.getValue().forEach(label -> groups.put(label.asText(), e.getKey())));
                    printed.put("testConfiguredRouting", ClassifierEvaluation.configuredRouting(new IntentModel(artifact), testX,
                            oosLabel, dev.ragline.classifier.routing.RoutingConfig.read(Path.of(routingFile)), groups));
                }
            }
            artifact.write(out);
            System.out.println(JSON.writeValueAsString(printed));
            System.err.println("wrote " + out.toAbsolutePath() + " (" + Files.size(out) + " bytes)");
        }
    }

    /** Adds the headline test figures (not curves or diagrams) to the artifact's provenance metrics. */
    static ClassifierArtifact withTestMetrics(ClassifierArtifact a, Map<String, Object> test) {
        Map<String, Object> metrics = new LinkedHashMap<>(a.provenance().metrics());
        for (String key : List.of("accuracy", "macroF1", "oosAuroc")) if (test.containsKey(key)) metrics.put("test_" + key, test.get(key));
        if (test.get("calibrationAfter") instanceof Map<?, ?> after) metrics.put("test_eceAfter", after.get("ece"));
        if (test.get("calibrationBefore") instanceof Map<?, ?> before) metrics.put("test_eceBefore", before.get("ece"));
        Provenance p = a.provenance();
        return new ClassifierArtifact(a.labels(), a.outOfScopeLabel(), a.encoder(), a.head(), a.temperature(), a.oosDetector(),
                a.oosThreshold(), a.oosInScopeRecall(), a.confidenceThreshold(), a.targetSelectiveAccuracy(),
                new Provenance(p.encoderModel(), p.encoderSha256(), p.dataset(), p.datasetSha256(), p.parameters(), metrics, p.createdAt()));
    }

    static List<LabeledText> split(Map<String, List<LabeledText>> splits, String name) {
        List<LabeledText> s = splits.get(name);
        if (s == null) throw new IllegalArgumentException("CLINC-layout file has no '" + name + "' split (has " + splits.keySet() + ")");
        return s;
    }

}
