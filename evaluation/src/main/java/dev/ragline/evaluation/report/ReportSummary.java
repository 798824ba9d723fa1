package dev.ragline.evaluation.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** One entry of the run list: enough to pick runs without loading their charts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReportSummary(String runId, String suite, String label, String startedAt, String finishedAt,
                            List<EvalReport.Metric> headline) {
}
