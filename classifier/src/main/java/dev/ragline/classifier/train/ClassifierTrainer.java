package dev.ragline.classifier.train;

import dev.ragline.classifier.ClassifierArtifact;
import dev.ragline.classifier.EncoderIdentity;
import dev.ragline.classifier.IntentModel;
import dev.ragline.classifier.LinearHead;
import dev.ragline.classifier.OosDetector;
import dev.ragline.classifier.OosMethod;
import dev.ragline.classifier.Softmax;
import dev.ragline.classifier.metrics.Auroc;
import dev.ragline.classifier.metrics.CalibrationMetrics;
import dev.ragline.classifier.metrics.ClassificationMetrics;
import dev.ragline.classifier.metrics.SelectiveCurve;
import dev.ragline.core.Provenance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Trains a complete classifier artifact from embeddings. Everything is chosen on the validation split,
 * never on test: the L2 strength (best validation accuracy along a warm-started regularisation path),
 * the temperature (minimum validation NLL), the out-of-scope method (best validation AUROC when the
 * validation split has out-of-scope examples, else max probability), the out-of-scope threshold (keeps
 * {@code oosInScopeRecall} of in-scope validation examples) and the confidence threshold (lowest
 * threshold whose selective accuracy on validation reaches the target; out-of-scope validation examples
 * that are not caught count as errors).
 */
public final class ClassifierTrainer {

    /**
     * @param l2Grid    candidate L2 strengths, tried from largest to smallest
     * @param oosMethod fixed out-of-scope method, or null to choose on validation
     */
    public record Options(List<Double> l2Grid, int maxIterations, double targetSelectiveAccuracy,
                          double oosInScopeRecall, OosMethod oosMethod) {
        public Options {
            l2Grid = l2Grid.stream().sorted((a, b) -> Double.compare(b, a)).toList();
            if (l2Grid.isEmpty()) throw new IllegalArgumentException("l2Grid must not be empty");
            if (!(targetSelectiveAccuracy > 0 && targetSelectiveAccuracy <= 1))
                throw new IllegalArgumentException("targetSelectiveAccuracy must be in (0, 1]");
            if (!(oosInScopeRecall > 0 && oosInScopeRecall <= 1))
                throw new IllegalArgumentException("oosInScopeRecall must be in (0, 1]");
        }

        public static Options defaults() {
            return new Options(List.of(3e-3, 1e-3, 3e-4, 1e-4), 60, 0.98, 0.95, null);
        }

        public Options withL2Grid(List<Double> grid) {
            return new Options(grid, maxIterations, targetSelectiveAccuracy, oosInScopeRecall, oosMethod);
        }

        public Options withTargetSelectiveAccuracy(double target) {
            return new Options(l2Grid, maxIterations, target, oosInScopeRecall, oosMethod);
        }

        public Options withOosMethod(OosMethod method) {
            return new Options(l2Grid, maxIterations, targetSelectiveAccuracy, oosInScopeRecall, method);
        }
    }

    /** Name and checksum of the training data, for provenance. */
    public record DatasetInfo(String name, String sha256) {
    }

    /**
     * @param validationMetrics what was measured on validation (also stored in the artifact's provenance)
     */
    public record Result(ClassifierArtifact artifact, Map<String, Object> validationMetrics) {
    }

    private ClassifierTrainer() {
    }

    /**
     * @param outOfScopeLabel label that marks out-of-scope examples (for example {@code oos}) or null. If
     *                        the training data has it, it is trained as one more class.
     */
    public static Result train(LabeledEmbeddings train, LabeledEmbeddings validation, String outOfScopeLabel,
                               Options options, EncoderIdentity encoder, DatasetInfo dataset,
                               Map<String, Object> extraParameters) {
        List<String> labels = List.copyOf(new TreeSet<>(train.labels()));
        if (labels.size() < 2) throw new IllegalArgumentException("need at least two labels, got " + labels);
        String trainedOos = outOfScopeLabel != null && labels.contains(outOfScopeLabel) ? outOfScopeLabel : null;
        int[] yTrain = indices(train.labels(), labels, null, "training");
        for (float[] row : train.x())
            if (row.length != encoder.dimension())
                throw new IllegalArgumentException("training embedding has dimension " + row.length + ", encoder " + encoder.dimension());

        // validation: examples of known labels, plus out-of-scope examples the head has no class for
        List<Integer> known = new ArrayList<>();
        boolean[] valIsOos = new boolean[validation.x().length];
        for (int i = 0; i < valIsOos.length; i++) {
            String l = validation.labels().get(i);
            valIsOos[i] = l.equals(outOfScopeLabel);
            if (labels.contains(l)) known.add(i);
            else if (!valIsOos[i]) throw new IllegalArgumentException("validation label '" + l + "' does not occur in training");
        }
        if (known.isEmpty()) throw new IllegalArgumentException("validation has no example of a trained label");
        LabeledEmbeddings valKnown = validation.select(known);
        int[] yVal = indices(valKnown.labels(), labels, null, "validation");

        // 1. regularisation path, warm-started from the strongest penalty
        List<Map<String, Object>> path = new ArrayList<>();
        SoftmaxRegression.Fit best = null;
        double bestAccuracy = -1, bestL2 = Double.NaN;
        double[] warm = null;
        for (double l2 : options.l2Grid()) {
            SoftmaxRegression.Fit fit = SoftmaxRegression.fit(train.x(), yTrain, labels.size(),
                    SoftmaxRegression.Options.of(l2).withMaxIterations(options.maxIterations()), warm);
            warm = fit.parameters();
            double accuracy = ClassificationMetrics.accuracy(yVal, predict(fit.head(), valKnown.x()));
            path.add(ordered("l2", l2, "validationAccuracy", accuracy, "iterations", fit.iterations(),
                    "converged", fit.converged(), "trainLoss", fit.lossHistory().getLast()));
            if (accuracy > bestAccuracy) {
                bestAccuracy = accuracy;
                best = fit;
                bestL2 = l2;
            }
        }
        LinearHead head = best.head();

        // 2. temperature on validation
        double[][] valLogits = logits(head, valKnown.x());
        double temperature = TemperatureScaling.fit(valLogits, yVal);

        // 3. out-of-scope method and threshold
        boolean[] inScope = new boolean[labels.size()];
        for (int k = 0; k < inScope.length; k++) inScope[k] = !labels.get(k).equals(outOfScopeLabel);
        boolean[] valGoldInScope = new boolean[validation.x().length];
        for (int i = 0; i < valGoldInScope.length; i++) valGoldInScope[i] = !valIsOos[i];
        boolean haveOosVal = Arrays.asList(box(valIsOos)).contains(true);
        List<OosMethod> candidates = options.oosMethod() != null ? List.of(options.oosMethod())
                : haveOosVal ? List.of(OosMethod.values()) : List.of(OosMethod.MAX_PROBABILITY);
        Map<String, Object> oosAurocs = new LinkedHashMap<>();
        OosDetector detector = null;
        double bestAuroc = -1;
        double[] bestScores = null;
        for (OosMethod method : candidates) {
            OosDetector d = OosDetector.fit(method, train.x(), yTrain, inScope);
            double[] scores = oosScores(d, head, temperature, validation.x());
            double auroc = haveOosVal ? Auroc.auroc(scores, valIsOos) : Double.NaN;
            if (haveOosVal) oosAurocs.put(method.name(), auroc);
            if (detector == null || auroc > bestAuroc) {
                detector = d;
                bestAuroc = auroc;
                bestScores = scores;
            }
        }
        double oosThreshold = quantile(select(bestScores, valGoldInScope), options.oosInScopeRecall());

        // 4. confidence threshold for the target selective accuracy, over what is not abstained
        ClassifierArtifact draft = new ClassifierArtifact(labels, trainedOos, encoder, head, temperature, detector,
                oosThreshold, options.oosInScopeRecall(), Double.POSITIVE_INFINITY, options.targetSelectiveAccuracy(),
                new Provenance(encoder.modelId(), encoder.sha256(), dataset.name(), dataset.sha256(), Map.of(), Map.of(), null));
        IntentModel model = new IntentModel(draft);
        List<Double> conf = new ArrayList<>();
        List<Boolean> right = new ArrayList<>();
        int abstained = 0;
        for (int i = 0; i < validation.x().length; i++) {
            var c = model.classify(validation.x()[i], 1);
            if (c.outOfScope()) {
                abstained++;
                continue;
            }
            conf.add(c.probability());
            right.add(!valIsOos[i] && c.label().equals(validation.labels().get(i)));
        }
        double confidenceThreshold = conf.isEmpty() ? Double.POSITIVE_INFINITY
                : SelectiveCurve.thresholdForAccuracy(unbox(conf), unboxBool(right), options.targetSelectiveAccuracy());
        int direct = 0, directRight = 0;
        for (int j = 0; j < conf.size(); j++) {
            if (conf.get(j) >= confidenceThreshold) {
                direct++;
                if (right.get(j)) directRight++;
            }
        }

        // 5. validation metrics and provenance
        double[][] pBefore = probabilities(valLogits, 1.0), pAfter = probabilities(valLogits, temperature);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validationAccuracy", bestAccuracy);
        metrics.put("validationMacroF1", ClassificationMetrics.macroF1(yVal, predict(head, valKnown.x()), labels.size()));
        metrics.put("validationNllBefore", CalibrationMetrics.nll(pBefore, yVal));
        metrics.put("validationNllAfter", CalibrationMetrics.nll(pAfter, yVal));
        metrics.put("validationEceBefore", ece(pBefore, yVal));
        metrics.put("validationEceAfter", ece(pAfter, yVal));
        metrics.put("temperature", temperature);
        metrics.put("l2", bestL2);
        metrics.put("l2Path", path);
        metrics.put("oosMethod", detector.method().name());
        if (haveOosVal) metrics.put("validationOosAuroc", oosAurocs);
        metrics.put("oosThreshold", oosThreshold);
        metrics.put("confidenceThreshold", Double.isInfinite(confidenceThreshold) ? null : confidenceThreshold);
        metrics.put("validationAbstainShare", (double) abstained / validation.x().length);
        metrics.put("validationDirectShare", (double) direct / validation.x().length);
        metrics.put("validationDirectAccuracy", direct == 0 ? null : (double) directRight / direct);

        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("head", "multinomial logistic regression, L2, L-BFGS, standardised features");
        parameters.put("l2Grid", options.l2Grid());
        parameters.put("maxIterations", options.maxIterations());
        parameters.put("targetSelectiveAccuracy", options.targetSelectiveAccuracy());
        parameters.put("oosInScopeRecall", options.oosInScopeRecall());
        parameters.put("outOfScopeLabel", outOfScopeLabel);
        parameters.put("outOfScopeTrainedAsClass", trainedOos != null);
        parameters.put("trainExamples", train.x().length);
        parameters.put("validationExamples", validation.x().length);
        parameters.putAll(extraParameters);
        parameters.values().removeIf(v -> v == null);
        metrics.values().removeIf(v -> v == null);

        ClassifierArtifact artifact = new ClassifierArtifact(labels, trainedOos, encoder, head, temperature, detector,
                oosThreshold, options.oosInScopeRecall(), confidenceThreshold, options.targetSelectiveAccuracy(),
                new Provenance(encoder.modelId(), encoder.sha256(), dataset.name(), dataset.sha256(), parameters, metrics, null));
        return new Result(artifact, metrics);
    }

    // ---- helpers shared with the report ----

    public static int[] indices(List<String> values, List<String> labels, String where, String split) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int k = 0; k < labels.size(); k++) index.put(labels.get(k), k);
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            Integer k = index.get(values.get(i));
            if (k == null) throw new IllegalArgumentException(split + " label '" + values.get(i) + "' is not a trained label");
            out[i] = k;
        }
        return out;
    }

    public static int[] predict(LinearHead head, float[][] x) {
        int[] out = new int[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Softmax.argmax(head.logits(x[i]));
        return out;
    }

    public static double[][] logits(LinearHead head, float[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) out[i] = head.logits(x[i]);
        return out;
    }

    public static double[][] probabilities(double[][] logits, double temperature) {
        double[][] out = new double[logits.length][];
        for (int i = 0; i < logits.length; i++) out[i] = Softmax.probabilities(logits[i], temperature);
        return out;
    }

    public static double[] oosScores(OosDetector detector, LinearHead head, double temperature, float[][] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] z = head.logits(x[i]);
            out[i] = detector.score(x[i], z, Softmax.probabilities(z, temperature));
        }
        return out;
    }

    /** ECE (15 equal-width bins) of the top-1 prediction. */
    public static double ece(double[][] probabilities, int[] gold) {
        double[] conf = new double[gold.length];
        boolean[] right = new boolean[gold.length];
        for (int i = 0; i < gold.length; i++) {
            int k = Softmax.argmax(probabilities[i]);
            conf[i] = probabilities[i][k];
            right[i] = k == gold[i];
        }
        return CalibrationMetrics.ece(conf, right, CalibrationMetrics.DEFAULT_BINS);
    }

    /** The value at or below which a share {@code q} of the values lie (smallest such order statistic). */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = Math.max(0, (int) Math.ceil(q * sorted.length) - 1);
        return sorted[Math.min(index, sorted.length - 1)];
    }

    private static double[] select(double[] values, boolean[] mask) {
        return java.util.stream.IntStream.range(0, values.length).filter(i -> mask[i]).mapToDouble(i -> values[i]).toArray();
    }

    private static Boolean[] box(boolean[] a) {
        Boolean[] out = new Boolean[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static boolean[] unboxBool(List<Boolean> values) {
        boolean[] out = new boolean[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }
}
