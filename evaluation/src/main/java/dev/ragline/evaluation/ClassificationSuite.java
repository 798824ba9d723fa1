package dev.ragline.evaluation;

import dev.ragline.classifier.metrics.ReliabilityBin;
import dev.ragline.evaluation.report.Charts;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.EvalReport.Metric;
import dev.ragline.evaluation.report.ReportBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Accuracy, F1, confusion and calibration of a trained classifier on a labelled test set. */
@Command(name = "classification", description = "Accuracy, macro/per-class F1, confusion, calibration before/after temperature scaling, OOS AUROC.")
final class ClassificationSuite extends Harness.Suite {
    @Mixin
    ClassifierRun.Options classifier = new ClassifierRun.Options();

    @Override
    String name() {
        return "classification";
    }

    @Override
    EvalReport run() {
        ClassifierRun.Result r = ClassifierRun.run(classifier, harness.datasets);
        ReportBuilder report = start(name(), harness.label, classifier, r);
        Map<String, Object> e = r.evaluation();
        number(e, "accuracy").ifPresent(v -> report.headline(Metric.higher("accuracy", v)));
        number(e, "macroF1").ifPresent(v -> report.headline(Metric.higher("macroF1", v)));
        for (String stage : List.of("Before", "After")) {
            if (!(e.get("calibration" + stage) instanceof Map<?, ?> c)) continue;
            String suffix = stage.equals("Before") ? " (before temperature)" : " (after temperature)";
            for (String k : List.of("ece", "adaptiveEce", "mce", "brier", "nll"))
                number(c, k).ifPresent(v -> report.headline(Metric.lower(k + suffix, v)));
            report.reliability(new Charts.Reliability(stage.equals("Before") ? "before temperature scaling"
                    : String.format(java.util.Locale.ROOT, "after temperature scaling (T = %.3f)", e.get("temperature")),
                    bins(c.get("reliability"))));
        }
        number(e, "oosAuroc").ifPresent(v -> report.headline(Metric.higher("oosAuroc", v)));
        number(e, "temperature").ifPresent(v -> report.headline(Metric.neutral("temperature", v)));
        report.confusion(new Charts.Confusion("in-scope test examples", r.artifact().labels(), r.confusion()));
        if (e.get("perClassF1") instanceof Map<?, ?> f1) {
            List<List<Object>> rows = new ArrayList<>();
            f1.forEach((label, value) -> rows.add(List.of(label, value)));
            rows.sort(Comparator.comparingDouble(row -> ((Number) row.get(1)).doubleValue()));
            report.table(new Charts.Table("F1 per class, worst first", List.of("label", "F1"), rows));
        }
        return report.finish();
    }

    /** The configuration and provenance both classifier suites record. */
    static ReportBuilder start(String suite, String label, ClassifierRun.Options o, ClassifierRun.Result r) {
        ReportBuilder report = ReportBuilder.start(suite, label)
                .configure("artifact", r.artifactPath().toString()).configure("test", r.test().toString())
                .configure("oosLabel", o.oosLabel).configure("examples", r.examples())
                .encoder(r.artifact().encoder().modelId(), r.artifact().encoder().sha256())
                .input("artifact", "classifier", r.artifactPath())
                .input("dataset", r.test().getFileName().toString(), r.test());
        report.metric("evaluation", r.evaluation());
        report.metric("artifactProvenance", r.artifact().provenance());
        return report;
    }

    static java.util.Optional<Double> number(Map<?, ?> map, String key) {
        return map.get(key) instanceof Number n ? java.util.Optional.of(n.doubleValue()) : java.util.Optional.empty();
    }

    private static List<Charts.Reliability.Bin> bins(Object reliability) {
        List<Charts.Reliability.Bin> out = new ArrayList<>();
        if (reliability instanceof List<?> list)
            for (Object o : list) {
                ReliabilityBin b = (ReliabilityBin) o;
                out.add(new Charts.Reliability.Bin(b.lower(), b.upper(), b.count(),
                        b.meanConfidence() == null ? 0 : b.meanConfidence(), b.accuracy() == null ? 0 : b.accuracy()));
            }
        return out;
    }
}
