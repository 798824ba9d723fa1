package dev.ragline.evaluation.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One harness run: what was run, on what, with which result. Written as {@code <runId>.json} in the reports
 * directory and read back by {@link ReportRepository} and the dashboard. Schema documented in evaluation/README.md.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}; readers refuse newer versions
 * @param runId         unique, file-name safe ({@code [A-Za-z0-9._-]+})
 * @param suite         retrieval, classification, routing, generation or faithfulness
 * @param label         free text given with {@code --label}, may be null
 * @param startedAt     ISO-8601 instant
 * @param finishedAt    ISO-8601 instant
 * @param configuration the options the suite ran with (paths, k, thresholds, model names)
 * @param provenance    code, encoder and input checksums
 * @param headline      the scalar metrics shown in the run list and compared run against run
 * @param metrics       every metric the suite computed, nested as the suite sees fit
 * @param charts        data for the dashboard's charts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvalReport(int schemaVersion, String runId, String suite, String label, String startedAt,
                         String finishedAt, Map<String, Object> configuration, RunProvenance provenance,
                         List<Metric> headline, Map<String, Object> metrics, Charts charts) {

    public static final int SCHEMA_VERSION = 1;

    public EvalReport {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(suite, "suite");
        if (!ReportRepository.isValidId(runId)) throw new IllegalArgumentException("run id not file-name safe: " + runId);
        configuration = configuration == null ? Map.of() : configuration;
        headline = headline == null ? List.of() : List.copyOf(headline);
        metrics = metrics == null ? Map.of() : metrics;
        charts = charts == null ? Charts.empty() : charts;
    }

    /** A headline number and which way is better, so comparisons can colour a change as a gain or a loss. */
    public record Metric(String name, double value, Better better) {
        public static Metric higher(String name, double value) {
            return new Metric(name, value, Better.HIGHER);
        }

        public static Metric lower(String name, double value) {
            return new Metric(name, value, Better.LOWER);
        }

        public static Metric neutral(String name, double value) {
            return new Metric(name, value, Better.NEUTRAL);
        }
    }

    public enum Better { HIGHER, LOWER, NEUTRAL }

    /** The short form listed by {@code GET /v1/eval/reports}. */
    public ReportSummary summary() {
        return new ReportSummary(runId, suite, label, startedAt, finishedAt, headline);
    }
}
