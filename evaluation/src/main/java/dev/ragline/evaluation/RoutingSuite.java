package dev.ragline.evaluation;

import dev.ragline.evaluation.report.Charts;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.EvalReport.Metric;
import dev.ragline.evaluation.report.ReportBuilder;
import dev.ragline.evaluation.routing.CostModel;
import dev.ragline.evaluation.routing.RoutingEconomics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the router does with a labelled test set (the classifier module's evaluation) and what that saves against
 * sending every request to the decoder ({@link CostModel}).
 */
@Command(name = "routing", description = "Coverage vs selective accuracy, share per route at the artifact's threshold, cost and latency saved against all-decoder.")
final class RoutingSuite extends Harness.Suite {
    @Mixin
    ClassifierRun.Options classifier = new ClassifierRun.Options();

    private static final CostModel DEFAULTS = CostModel.defaults();

    @Option(names = "--classifier-cost", description = "Cost per request of the classifier (default: 0.00001).")
    double classifierCost = DEFAULTS.classifier().cost();
    @Option(names = "--classifier-latency-ms", description = "Latency of the classifier (default: 15).")
    double classifierLatency = DEFAULTS.classifier().latencyMs();
    @Option(names = "--retrieval-cost", description = "Cost per request of retrieval (default: 0.00002).")
    double retrievalCost = DEFAULTS.retrieval().cost();
    @Option(names = "--retrieval-latency-ms", description = "Latency of retrieval (default: 25).")
    double retrievalLatency = DEFAULTS.retrieval().latencyMs();
    @Option(names = "--decoder-cost", description = "Cost per request of the decoder (default: 0.002).")
    double decoderCost = DEFAULTS.decoder().cost();
    @Option(names = "--decoder-latency-ms", description = "Latency of the decoder (default: 1500).")
    double decoderLatency = DEFAULTS.decoder().latencyMs();

    @Override
    String name() {
        return "routing";
    }

    @Override
    EvalReport run() {
        CostModel costs = new CostModel(new CostModel.Stage(classifierCost, classifierLatency),
                new CostModel.Stage(retrievalCost, retrievalLatency), new CostModel.Stage(decoderCost, decoderLatency));
        ClassifierRun.Result r = ClassifierRun.run(classifier, harness.datasets);
        ReportBuilder report = ClassificationSuite.start(name(), harness.label, classifier, r).configure("costModel", costs);
        if (!(r.evaluation().get("routing") instanceof Map<?, ?> routing))
            throw new IllegalStateException("the classifier evaluation has no routing section");
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("DIRECT", ((Number) routing.get("directCount")).longValue());
        counts.put("GENERATE", ((Number) routing.get("generateCount")).longValue());
        counts.put("ABSTAIN", ((Number) routing.get("abstainCount")).longValue());
        RoutingEconomics economics = RoutingEconomics.of(counts, costs);
        report.metric("economics", economics);

        ClassificationSuite.number(routing, "confidenceThreshold").ifPresent(v -> report.headline(Metric.neutral("confidenceThreshold", v)));
        economics.shares().forEach((route, share) -> report.headline(Metric.neutral("share " + route, share)));
        ClassificationSuite.number(routing, "directAccuracy").ifPresent(v -> report.headline(Metric.higher("accuracy of DIRECT", v)));
        ClassificationSuite.number(routing, "outOfScopeRoutedDirectShare").ifPresent(v -> report.headline(Metric.lower("out-of-scope routed DIRECT", v)));
        ClassificationSuite.number(routing, "aurc").ifPresent(v -> report.headline(Metric.lower("aurc", v)));
        report.headline(Metric.higher("cost saved (share)", economics.costSavedShare()));
        report.headline(Metric.higher("latency saved per request (ms)", economics.latencySavedMs()));

        List<Charts.Curve.Point> points = new ArrayList<>();
        if (routing.get("coverageCurve") instanceof List<?> curve)
            for (Object o : curve) {
                Map<?, ?> p = (Map<?, ?>) o;
                points.add(new Charts.Curve.Point(((Number) p.get("coverage")).doubleValue(),
                        ((Number) p.get("selectiveAccuracy")).doubleValue()));
            }
        report.curve(new Charts.Curve("coverage vs selective accuracy (out-of-scope counted wrong)", "coverage",
                "selective accuracy", points));
        List<List<Object>> rows = new ArrayList<>();
        for (String route : RoutingEconomics.ROUTES) {
            CostModel.Stage s = costs.route(route);
            rows.add(List.of(route, economics.counts().get(route), economics.shares().get(route), s.cost(), s.latencyMs(),
                    economics.counts().get(route) * s.cost()));
        }
        rows.add(List.of("all to decoder (baseline)", economics.requests(), 1.0, costs.baseline().cost(),
                costs.baseline().latencyMs(), economics.baselineCost()));
        report.table(new Charts.Table("Routes at the artifact's thresholds, priced by the cost model",
                List.of("route", "requests", "share", "cost per request", "latency per request (ms)", "total cost"), rows));
        return report.finish();
    }
}
