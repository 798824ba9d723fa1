package dev.ragline.evaluation;

import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.ReportRepository;
import dev.ragline.evaluation.report.ReportSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HarnessTest {

    @Test
    void faithfulnessSuiteWritesAReportAndItsHtmlExport(@TempDir Path dir) throws IOException {
        Path answers = dir.resolve("answers.jsonl");
        Files.writeString(answers, """
                {"id":"a1","question":"When?","answer":"The Normans conquered England in 1066 [1].","passages":[{"id":"p","text":"The Normans conquered England in 1066 under William."}]}

                {"id":"a2","question":"Who?","answer":"The passages do not contain the answer.","passages":[{"id":"p","text":"x"}]}
                """);
        int code = Harness.commandLine().execute("--reports", dir.resolve("reports").toString(), "--html",
                "--label", "test run", "faithfulness", "--squad", "src/test/resources/squad-tiny.json",
                "--questions", "5", "--answers", answers.toString());
        assertThat(code).isZero();
        ReportRepository repo = new ReportRepository(dir.resolve("reports"));
        List<ReportSummary> runs = repo.list();
        assertThat(runs).hasSize(1);
        EvalReport report = repo.read(runs.getFirst().runId()).orElseThrow();
        assertThat(report.suite()).isEqualTo("faithfulness");
        assertThat(report.label()).isEqualTo("test run");
        assertThat(report.headline()).extracting(EvalReport.Metric::name)
                .containsExactly("auroc.lexical", "supportedShare", "citationPrecision", "citationRecall");
        assertThat(report.headline().get(1).value()).isEqualTo(1.0); // the one non-abstaining claim is verbatim
        assertThat(report.provenance().inputs()).extracting(i -> i.sha256().length()).containsOnly(64);
        assertThat(report.charts().curves()).isNotEmpty();
        assertThat(report.charts().tables().getFirst().rows()).hasSize(1);
        assertThat(dir.resolve("reports").resolve(report.runId() + ".html")).exists();
    }

    @Test
    void badInputFailsWithAClearMessageAndNonZeroExit(@TempDir Path dir) {
        int code = Harness.commandLine().execute("--reports", dir.toString(), "faithfulness",
                "--squad", dir.resolve("missing.json").toString());
        assertThat(code).isNotZero();
        assertThat(dir).isEmptyDirectory();
    }
}
