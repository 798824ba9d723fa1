package dev.ragline.classifier.cli;

import dev.ragline.classifier.ClassifierArtifact;
import dev.ragline.classifier.ClassifierEvaluation;
import dev.ragline.classifier.EncoderIdentity;
import dev.ragline.classifier.IntentModel;
import dev.ragline.classifier.OosDetector;
import dev.ragline.classifier.OosMethod;
import dev.ragline.classifier.data.DatasetReader;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.data.Sampling;
import dev.ragline.classifier.metrics.Auroc;
import dev.ragline.classifier.metrics.ClassificationMetrics;
import dev.ragline.classifier.train.ClassifierTrainer;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.classifier.train.SoftmaxRegression;
import dev.ragline.core.Provenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The classifier report ("What must be shown" in the classifier issue): Banking77 full-data and 8-shot
 * accuracy, CLINC150 accuracy, calibration before/after temperature scaling, out-of-scope AUROC with and
 * without {@code oos_train}, and routing on CLINC150 test. Prints a summary and writes one JSON report
 * (schema in classifier/README.md); optionally saves the deployed CLINC150 artifact.
 */
final class ClassifierReport {
    static final int SCHEMA_VERSION = 1;
    private static final String OOS = "oos";

    private ClassifierReport() {
    }

    static void run(Args a) throws Exception {
        Path datasets = Path.of(a.require("datasets"));
        Path out = Path.of(a.require("out"));
        String artifactOut = a.get("artifact-out", null);
        String model = a.get("encoder", "bge-small-en-v1.5");
        long seed = (long) a.number("seed", 42);
        int draws = (int) a.number("draws", 10), shots = (int) a.number("shots", 8);
        int threads = (int) a.number("threads", 2);
        Path cache = Path.of(a.get("cache", Embedder.DEFAULT_CACHE.toString()));
        ClassifierTrainer.Options options = ClassifierCli.options(a);
        a.checkAllUsed();

        Path bankingTrain = datasets.resolve("banking77/train.csv"), bankingTest = datasets.resolve("banking77/test.csv");
        Path clinc = datasets.resolve("clinc150/data_full.json");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("schemaVersion", SCHEMA_VERSION);
        report.put("createdAt", Instant.now().toString());
        long started = System.nanoTime();
        try (Embedder embedder = new Embedder(model, threads, cache)) {
            EncoderIdentity encoder = EncoderIdentity.of(embedder.encoder());
            report.put("encoder", Map.of("modelId", encoder.modelId(), "sha256", encoder.sha256(), "dimension", encoder.dimension(),
                    "input", "passage (no query instruction)"));
            report.put("options", Map.of("seed", seed, "l2Grid", options.l2Grid(), "maxIterations", options.maxIterations(),
                    "targetSelectiveAccuracy", options.targetSelectiveAccuracy(), "oosInScopeRecall", options.oosInScopeRecall()));
            report.put("published", published());

            // CLINC150 first: its embeddings are the ones most likely cached already
            // ---- CLINC150 ----
            System.err.println("CLINC150 ...");
            Map<String, List<LabeledText>> splits = DatasetReader.readClinc(clinc);
            LabeledEmbeddings train = embedder.embed("clinc/train", ClassifierCli.split(splits, "train"));
            LabeledEmbeddings oosTrain = embedder.embed("clinc/oos_train", ClassifierCli.split(splits, "oos_train"));
            LabeledEmbeddings val = embedder.embed("clinc/val", ClassifierCli.split(splits, "val"))
                    .concat(embedder.embed("clinc/oos_val", ClassifierCli.split(splits, "oos_val")));
            LabeledEmbeddings test = embedder.embed("clinc/test", ClassifierCli.split(splits, "test"))
                    .concat(embedder.embed("clinc/oos_test", ClassifierCli.split(splits, "oos_test")));
            String clincSha = Provenance.sha256(clinc);
            Map<String, Object> clincReport = new LinkedHashMap<>();
            clincReport.put("dataset", Map.of("file", clinc.toString(), "sha256", clincSha,
                    "train", train.x().length, "oosTrain", oosTrain.x().length, "validation", val.x().length, "test", test.x().length));
            ClassifierTrainer.DatasetInfo info = new ClassifierTrainer.DatasetInfo("clinc150/data_full.json", clincSha);
            Map<String, ClassifierArtifact> artifacts = new LinkedHashMap<>();
            Map<String, Object> variants = new LinkedHashMap<>();
            for (boolean withOos : new boolean[]{false, true}) {
                String name = withOos ? "withOosTrain" : "withoutOosTrain";
                System.err.println("  training " + name + " ...");
                LabeledEmbeddings t = withOos ? train.concat(oosTrain) : train;
                long t0 = System.nanoTime();
                ClassifierTrainer.Result result = ClassifierTrainer.train(t, val, OOS, options, encoder, info,
                        Map.of("seed", seed, "useOosTrain", withOos));
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("oosTrainAsClass", withOos);
                v.put("trainSeconds", seconds);
                v.put("validation", result.validationMetrics());
                Map<String, Object> testMetrics = ClassifierEvaluation.evaluate(new IntentModel(result.artifact()), test, OOS);
                v.put("test", testMetrics);
                v.put("testOosAurocByMethod", aurocByMethod(result.artifact(), t, test));
                variants.put(name, v);
                artifacts.put(name, ClassifierCli.withTestMetrics(result.artifact(), testMetrics));
            }
            clincReport.put("variants", variants);
            // deploy the variant with the better out-of-scope AUROC on validation (test is never used to choose)
            String deployed = validationAuroc(variants, "withOosTrain") > validationAuroc(variants, "withoutOosTrain")
                    ? "withOosTrain" : "withoutOosTrain";
            clincReport.put("deployedVariant", deployed);
            report.put("clinc150", clincReport);
            if (artifactOut != null) {
                artifacts.get(deployed).write(Path.of(artifactOut));
                report.put("artifact", Map.of("path", artifactOut, "variant", deployed, "bytes", Files.size(Path.of(artifactOut))));
            }
            // ---- Banking77 ----
            System.err.println("Banking77 ...");
            LabeledEmbeddings bTrain = embedder.embed("banking77/train", DatasetReader.readCsv(bankingTrain));
            LabeledEmbeddings bTest = embedder.embed("banking77/test", DatasetReader.readCsv(bankingTest));
            Map<String, Object> banking = new LinkedHashMap<>();
            banking.put("dataset", Map.of("train", bankingTrain.toString(), "trainSha256", Provenance.sha256(bankingTrain),
                    "test", bankingTest.toString(), "testSha256", Provenance.sha256(bankingTest),
                    "trainExamples", bTrain.x().length, "testExamples", bTest.x().length));
            banking.put("full", bankingFull(bTrain, bTest, options, encoder, seed));
            banking.put("fewShot", bankingFewShot(bTrain, bTest, shots, draws, seed));
            // more examples per intent under the same protocol, for context around the published figure
            banking.put("fewShotOtherSizes", List.of(bankingFewShot(bTrain, bTest, 2 * shots, draws, seed),
                    bankingFewShot(bTrain, bTest, 4 * shots, draws, seed)));
            report.put("banking77", banking);

        }
        report.put("seconds", (System.nanoTime() - started) / 1e9);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(out, ClassifierCli.JSON.writeValueAsString(report));
        System.out.println(summary(report));
        System.err.println("wrote " + out.toAbsolutePath());
    }

    /** Hyper-parameters chosen on a stratified 10% hold-out of train, then the head is refitted on all of train. */
    private static Map<String, Object> bankingFull(LabeledEmbeddings train, LabeledEmbeddings test,
                                                   ClassifierTrainer.Options options, EncoderIdentity encoder, long seed) {
        List<List<Integer>> split = Sampling.stratifiedHoldout(train.labels(), 0.1, seed);
        ClassifierTrainer.Result holdout = ClassifierTrainer.train(train.select(split.get(0)), train.select(split.get(1)), null,
                options, encoder, new ClassifierTrainer.DatasetInfo("banking77/train.csv", ""), Map.of());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("protocol", "L2 and temperature chosen on a stratified 10% hold-out of train (seed " + seed
                + "); head refitted on all of train with that L2; evaluated on test");
        out.put("selection", holdout.validationMetrics());
        double l2 = (Double) holdout.validationMetrics().get("l2");
        List<String> labels = List.copyOf(new TreeSet<>(train.labels()));
        int[] y = ClassifierTrainer.indices(train.labels(), labels, null, "train");
        int[] gold = ClassifierTrainer.indices(test.labels(), labels, null, "test");
        long t0 = System.nanoTime();
        SoftmaxRegression.Fit fit = SoftmaxRegression.fit(train.x(), y, labels.size(),
                SoftmaxRegression.Options.of(l2).withMaxIterations(options.maxIterations()));
        out.put("trainSeconds", (System.nanoTime() - t0) / 1e9);
        int[] predicted = ClassifierTrainer.predict(fit.head(), test.x());
        out.put("l2", l2);
        out.put("iterations", fit.iterations());
        out.put("accuracy", ClassificationMetrics.accuracy(gold, predicted));
        out.put("macroF1", ClassificationMetrics.macroF1(gold, predicted, labels.size()));
        // calibration of the refitted head with the hold-out temperature (an approximation: T was fitted on the 90% model)
        double t = holdout.artifact().temperature();
        double[][] logits = ClassifierTrainer.logits(fit.head(), test.x());
        out.put("calibrationBefore", ClassifierEvaluation.calibration(ClassifierTrainer.probabilities(logits, 1), gold));
        out.put("calibrationAfter", ClassifierEvaluation.calibration(ClassifierTrainer.probabilities(logits, t), gold));
        double[] f1 = ClassificationMetrics.perClassF1(gold, predicted, labels.size());
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int k = 0; k < labels.size(); k++) perClass.put(labels.get(k), f1[k]);
        out.put("perClassF1", perClass);
        out.put("holdoutModelTest", ClassifierEvaluation.evaluate(new IntentModel(holdout.artifact()), test, null));
        return out;
    }

    /**
     * The MTEB protocol: {@code shots} random training examples per intent, logistic regression as
     * scikit-learn's defaults (L2 with C = 1, i.e. l2 = 1/n on the mean loss; raw embeddings; 100
     * iterations), mean over {@code draws} draws.
     */
    private static Map<String, Object> bankingFewShot(LabeledEmbeddings train, LabeledEmbeddings test, int shots, int draws, long seed) {
        List<String> labels = List.copyOf(new TreeSet<>(train.labels()));
        int[] gold = ClassifierTrainer.indices(test.labels(), labels, null, "test");
        List<Double> accuracies = new ArrayList<>(), f1s = new ArrayList<>();
        for (int d = 0; d < draws; d++) {
            LabeledEmbeddings sample = train.select(Sampling.samplePerLabel(train.labels(), shots, seed + d));
            int[] y = ClassifierTrainer.indices(sample.labels(), labels, null, "train");
            SoftmaxRegression.Fit fit = SoftmaxRegression.fit(sample.x(), y, labels.size(),
                    new SoftmaxRegression.Options(1.0 / y.length, 100, 1e-4, 0, false));
            int[] predicted = ClassifierTrainer.predict(fit.head(), test.x());
            accuracies.add(ClassificationMetrics.accuracy(gold, predicted));
            f1s.add(ClassificationMetrics.macroF1(gold, predicted, labels.size()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("protocol", shots + " examples per intent, " + draws + " draws (seeds " + seed + ".." + (seed + draws - 1)
                + "), L2 logistic regression with scikit-learn's defaults (C=1, raw embeddings, 100 iterations)");
        out.put("shots", shots);
        out.put("draws", draws);
        out.put("accuracyMean", mean(accuracies));
        out.put("accuracyStd", std(accuracies));
        out.put("macroF1Mean", mean(f1s));
        out.put("accuracies", accuracies);
        return out;
    }

    /** Test AUROC (in-scope test vs oos_test) for every out-of-scope method, with this variant's head and temperature. */
    private static Map<String, Object> aurocByMethod(ClassifierArtifact artifact, LabeledEmbeddings train, LabeledEmbeddings test) {
        int[] y = ClassifierTrainer.indices(train.labels(), artifact.labels(), null, "train");
        boolean[] isOos = new boolean[test.x().length];
        for (int i = 0; i < isOos.length; i++) isOos[i] = test.labels().get(i).equals(OOS);
        Map<String, Object> out = new LinkedHashMap<>();
        for (OosMethod method : OosMethod.values()) {
            OosDetector detector = OosDetector.fit(method, train.x(), y, artifact.inScopeMask());
            out.put(method.name(), Auroc.auroc(ClassifierTrainer.oosScores(detector, artifact.head(), artifact.temperature(), test.x()), isOos));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static double validationAuroc(Map<String, Object> variants, String name) {
        Map<String, Object> v = (Map<String, Object>) ((Map<String, Object>) variants.get(name)).get("validation");
        Map<String, Object> aurocs = (Map<String, Object>) v.get("validationOosAuroc");
        return (Double) aurocs.get((String) v.get("oosMethod"));
    }

    private static Map<String, Object> published() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("banking77MtebAccuracy_bgeSmallEnV15", 85.74);
        p.put("clinc150InScopeAccuracy_bertBase", 96.5);
        p.put("clinc150Ece_bertBase", 0.0218);
        p.put("clinc150OosAuroc_bertBase", 0.942);
        p.put("clinc150OosAuroc_sngp", 0.969);
        p.put("clinc150OosAuroc_sngpEnsemble", 0.973);
        return p;
    }

    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> r) {
        StringBuilder s = new StringBuilder();
        Map<String, Object> b = (Map<String, Object>) r.get("banking77");
        Map<String, Object> full = (Map<String, Object>) b.get("full"), few = (Map<String, Object>) b.get("fewShot");
        s.append(String.format(Locale.ROOT, "Banking77 full train: accuracy %.2f%%, macro-F1 %.2f%% (l2 %.0e)%n",
                100 * (Double) full.get("accuracy"), 100 * (Double) full.get("macroF1"), (Double) full.get("l2")));
        s.append(String.format(Locale.ROOT, "Banking77 %d-shot x %d draws: accuracy %.2f%% +- %.2f (MTEB bge-small-en-v1.5: 85.74)%n",
                (Integer) few.get("shots"), (Integer) few.get("draws"), 100 * (Double) few.get("accuracyMean"), 100 * (Double) few.get("accuracyStd")));
        for (Object o : (List<Object>) b.get("fewShotOtherSizes")) {
            Map<String, Object> f = (Map<String, Object>) o;
            s.append(String.format(Locale.ROOT, "Banking77 %d-shot x %d draws: accuracy %.2f%% +- %.2f%n",
                    (Integer) f.get("shots"), (Integer) f.get("draws"), 100 * (Double) f.get("accuracyMean"), 100 * (Double) f.get("accuracyStd")));
        }
        Map<String, Object> c = (Map<String, Object>) r.get("clinc150");
        Map<String, Object> variants = (Map<String, Object>) c.get("variants");
        for (var e : variants.entrySet()) {
            Map<String, Object> v = (Map<String, Object>) e.getValue();
            Map<String, Object> t = (Map<String, Object>) v.get("test");
            Map<String, Object> before = (Map<String, Object>) t.get("calibrationBefore"), after = (Map<String, Object>) t.get("calibrationAfter");
            Map<String, Object> routing = (Map<String, Object>) t.get("routing");
            s.append(String.format(Locale.ROOT, "CLINC150 %s: in-scope accuracy %.2f%%, T=%.3f, ECE %.4f -> %.4f, adaptive ECE %.4f -> %.4f, "
                            + "MCE %.4f -> %.4f, Brier %.4f -> %.4f, NLL %.4f -> %.4f%n", e.getKey(), 100 * (Double) t.get("accuracy"),
                    (Double) t.get("temperature"), before.get("ece"), after.get("ece"), before.get("adaptiveEce"), after.get("adaptiveEce"),
                    before.get("mce"), after.get("mce"), before.get("brier"), after.get("brier"), before.get("nll"), after.get("nll")));
            s.append(String.format(Locale.ROOT, "  OOS AUROC by method (test): %s; chosen on validation: %s%n",
                    v.get("testOosAurocByMethod"), t.get("oosMethod")));
            s.append(String.format(Locale.ROOT, "  routing on test (%d in-scope + %d OOS): DIRECT %.1f%% (accuracy %.2f%%, %.2f%% on in-scope), GENERATE %.1f%%, ABSTAIN %.1f%%, "
                            + "OOS routed DIRECT %d (%.1f%% of OOS), in-scope abstained %.1f%%; thresholds: confidence %s, oos %.4f%n",
                    (Integer) t.get("inScopeExamples"), (Integer) t.get("outOfScopeExamples"),
                    100 * (Double) routing.get("directShare"), routing.get("directAccuracy") == null ? Double.NaN : 100 * (Double) routing.get("directAccuracy"),
                    routing.get("directInScopeAccuracy") == null ? Double.NaN : 100 * (Double) routing.get("directInScopeAccuracy"),
                    100 * (Double) routing.get("generateShare"), 100 * (Double) routing.get("abstainShare"),
                    (Integer) routing.get("outOfScopeRoutedDirect"), 100 * (Double) routing.get("outOfScopeRoutedDirectShare"),
                    100 * (Double) routing.get("inScopeAbstainedShare"), routing.get("confidenceThreshold"), (Double) routing.get("oosThreshold")));
        }
        s.append("deployed CLINC150 variant: ").append(c.get("deployedVariant"));
        return s.toString();
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double std(List<Double> v) {
        double m = mean(v);
        return Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / v.size());
    }
}
