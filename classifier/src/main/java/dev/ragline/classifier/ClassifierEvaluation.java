package dev.ragline.classifier;

import dev.ragline.classifier.metrics.Auroc;
import dev.ragline.classifier.metrics.CalibrationMetrics;
import dev.ragline.classifier.metrics.ClassificationMetrics;
import dev.ragline.classifier.metrics.SelectiveCurve;
import dev.ragline.classifier.routing.Route;
import dev.ragline.classifier.routing.RouteType;
import dev.ragline.classifier.routing.Router;
import dev.ragline.classifier.routing.RoutingConfig;
import dev.ragline.classifier.train.LabeledEmbeddings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a trained model on labelled embeddings: in-scope accuracy and macro-F1, calibration before
 * and after temperature scaling, out-of-scope AUROC, and routing (what the router would do with every
 * example). Returns plain maps, ready to be written as JSON.
 */
public final class ClassifierEvaluation {
    private ClassifierEvaluation() {
    }

    /**
     * @param data            in-scope examples, plus out-of-scope ones labelled {@code outOfScopeLabel}
     * @param outOfScopeLabel label marking out-of-scope examples, or null if there are none
     */
    public static Map<String, Object> evaluate(IntentModel model, LabeledEmbeddings data, String outOfScopeLabel) {
        ClassifierArtifact artifact = model.artifact();
        List<String> labels = artifact.labels();
        int n = data.x().length;
        boolean[] isOos = new boolean[n];
        List<Integer> inScopeRows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String gold = data.labels().get(i);
            isOos[i] = gold.equals(outOfScopeLabel);
            if (!isOos[i]) {
                if (!labels.contains(gold)) throw new IllegalArgumentException("label '" + gold + "' is not a trained label");
                inScopeRows.add(i);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("examples", n);
        out.put("inScopeExamples", inScopeRows.size());
        out.put("outOfScopeExamples", n - inScopeRows.size());

        double[][] logits = new double[n][];
        for (int i = 0; i < n; i++) logits[i] = model.logits(data.x()[i]);
        if (!inScopeRows.isEmpty()) {
            int m = inScopeRows.size();
            int[] gold = new int[m], predicted = new int[m];
            double[][] before = new double[m][], after = new double[m][];
            for (int j = 0; j < m; j++) {
                int i = inScopeRows.get(j);
                gold[j] = labels.indexOf(data.labels().get(i));
                before[j] = Softmax.probabilities(logits[i], 1.0);
                after[j] = Softmax.probabilities(logits[i], artifact.temperature());
                predicted[j] = Softmax.argmax(logits[i]);
            }
            out.put("accuracy", ClassificationMetrics.accuracy(gold, predicted));
            out.put("macroF1", ClassificationMetrics.macroF1(gold, predicted, labels.size()));
            double[] f1 = ClassificationMetrics.perClassF1(gold, predicted, labels.size());
            Map<String, Object> perClass = new LinkedHashMap<>();
            for (int k = 0; k < labels.size(); k++) if (!Double.isNaN(f1[k])) perClass.put(labels.get(k), f1[k]);
            out.put("perClassF1", perClass);
            out.put("calibrationBefore", calibration(before, gold));
            out.put("calibrationAfter", calibration(after, gold));
            out.put("temperature", artifact.temperature());
        }

        Router router = Router.of(artifact, RoutingConfig.defaults());
        double[] oosScores = new double[n];
        double[] confidence = new double[n];
        boolean[] correct = new boolean[n];
        int direct = 0, directRight = 0, generate = 0, abstain = 0, oosDirect = 0, inScopeAbstain = 0, oosAbstain = 0;
        for (int i = 0; i < n; i++) {
            Classification c = model.classify(data.x()[i], 1);
            oosScores[i] = c.oosScore();
            confidence[i] = c.probability();
            correct[i] = !isOos[i] && c.label().equals(data.labels().get(i));
            Route route = router.route(c);
            if (route.type() == RouteType.DIRECT) {
                direct++;
                if (correct[i]) directRight++;
                if (isOos[i]) oosDirect++;
            } else if (route.type() == RouteType.GENERATE) {
                generate++;
            } else {
                abstain++;
                if (isOos[i]) oosAbstain++;
                else inScopeAbstain++;
            }
        }
        int oosCount = n - inScopeRows.size();
        if (oosCount > 0 && !inScopeRows.isEmpty()) {
            out.put("oosMethod", artifact.oosDetector().method().name());
            out.put("oosAuroc", Auroc.auroc(oosScores, isOos));
        }
        Map<String, Object> routing = new LinkedHashMap<>();
        routing.put("confidenceThreshold", Double.isInfinite(router.confidenceThreshold()) ? null : router.confidenceThreshold());
        routing.put("oosThreshold", router.oosThreshold());
        routing.put("targetSelectiveAccuracy", artifact.targetSelectiveAccuracy());
        routing.put("directShare", (double) direct / n);
        routing.put("directAccuracy", direct == 0 ? null : (double) directRight / direct);
        // the same over in-scope queries only: separates classifier errors from out-of-scope leaks
        routing.put("directInScopeAccuracy", direct - oosDirect == 0 ? null : (double) directRight / (direct - oosDirect));
        routing.put("generateShare", (double) generate / n);
        routing.put("abstainShare", (double) abstain / n);
        routing.put("directCount", direct);
        routing.put("generateCount", generate);
        routing.put("abstainCount", abstain);
        routing.put("inScopeAbstainedShare", inScopeRows.isEmpty() ? null : (double) inScopeAbstain / inScopeRows.size());
        if (oosCount > 0) {
            routing.put("outOfScopeRoutedDirect", oosDirect);
            routing.put("outOfScopeRoutedDirectShare", (double) oosDirect / oosCount);
            routing.put("outOfScopeAbstainedShare", (double) oosAbstain / oosCount);
        }
        // coverage vs selective accuracy over every example (out-of-scope ones always count as wrong)
        List<Map<String, Object>> curve = new ArrayList<>();
        for (SelectiveCurve.Point p : SelectiveCurve.thin(SelectiveCurve.curve(confidence, correct), 101)) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("threshold", p.threshold());
            point.put("coverage", p.coverage());
            point.put("selectiveAccuracy", p.selectiveAccuracy());
            curve.add(point);
        }
        routing.put("aurc", SelectiveCurve.aurc(confidence, correct));
        routing.put("coverageCurve", curve);
        out.put("routing", routing);
        return out;
    }

    /**
     * Routing under a deployment's routing configuration (which intents may be answered directly): the share
     * of each route, the accuracy among DIRECT answers (the routed intent is the gold one; an out-of-scope
     * example routed DIRECT is an error), and per gold group where it went. {@code groups} maps a gold label
     * to a group name (for example {@code small_talk}, {@code direct_how_to}, {@code product_other}); the
     * out-of-scope label is always the group {@code out_of_scope}; labels not in the map are {@code other}.
     */
    public static Map<String, Object> configuredRouting(IntentModel model, LabeledEmbeddings data, String outOfScopeLabel,
                                                        RoutingConfig config, Map<String, String> groups) {
        Router router = Router.of(model.artifact(), config);
        int n = data.x().length, direct = 0, directRight = 0, generate = 0, abstain = 0, oosCount = 0, oosAbstain = 0;
        Map<String, int[]> byGroup = new java.util.TreeMap<>(); // group -> [examples, direct, directRight, generate, abstain]
        for (int i = 0; i < n; i++) {
            String gold = data.labels().get(i);
            boolean oos = gold.equals(outOfScopeLabel);
            String group = oos ? "out_of_scope" : groups.getOrDefault(gold, "other");
            int[] g = byGroup.computeIfAbsent(group, k -> new int[5]);
            g[0]++;
            Route route = router.route(model.classify(data.x()[i], 1));
            if (oos) oosCount++;
            switch (route.type()) {
                case DIRECT -> {
                    direct++;
                    g[1]++;
                    if (!oos && route.intent().equals(gold)) {
                        directRight++;
                        g[2]++;
                    }
                }
                case GENERATE -> {
                    generate++;
                    g[3]++;
                }
                case ABSTAIN -> {
                    abstain++;
                    g[4]++;
                    if (oos) oosAbstain++;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("examples", n);
        out.put("confidenceThreshold", Double.isInfinite(router.confidenceThreshold()) ? null : router.confidenceThreshold());
        out.put("oosThreshold", router.oosThreshold());
        out.put("directShare", n == 0 ? null : (double) direct / n);
        out.put("directAccuracy", direct == 0 ? null : (double) directRight / direct);
        out.put("generateShare", n == 0 ? null : (double) generate / n);
        out.put("abstainShare", n == 0 ? null : (double) abstain / n);
        out.put("directCount", direct);
        out.put("generateCount", generate);
        out.put("abstainCount", abstain);
        if (oosCount > 0) out.put("outOfScopeAbstainedShare", (double) oosAbstain / oosCount);
        Map<String, Object> perGroup = new LinkedHashMap<>();
        byGroup.forEach((group, g) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("examples", g[0]);
            m.put("direct", g[1]);
            m.put("directCorrectIntent", g[2]);
            m.put("generate", g[3]);
            m.put("abstain", g[4]);
            perGroup.put(group, m);
        });
        out.put("byGroup", perGroup);
        return out;
    }

    /** ECE (15 equal-width bins), adaptive ECE (15 equal-mass bins), MCE, Brier, NLL and the reliability diagram. */
    public static Map<String, Object> calibration(double[][] probabilities, int[] gold) {
        int n = gold.length;
        double[] conf = new double[n];
        boolean[] right = new boolean[n];
        for (int i = 0; i < n; i++) {
            int k = Softmax.argmax(probabilities[i]);
            conf[i] = Math.min(1.0, probabilities[i][k]);
            right[i] = k == gold[i];
        }
        int bins = CalibrationMetrics.DEFAULT_BINS;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ece", CalibrationMetrics.ece(conf, right, bins));
        out.put("adaptiveEce", CalibrationMetrics.adaptiveEce(conf, right, bins));
        out.put("mce", CalibrationMetrics.mce(conf, right, bins));
        out.put("brier", CalibrationMetrics.brier(probabilities, gold));
        out.put("nll", CalibrationMetrics.nll(probabilities, gold));
        out.put("reliability", CalibrationMetrics.reliabilityDiagram(conf, right, bins));
        return out;
    }
}
