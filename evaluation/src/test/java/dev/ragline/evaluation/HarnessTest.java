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
                "--questions", "5", "--answers", answers.toString(),
                "--judges", "lexical,embedding", "--encoder", "bge-small-en-v1.5-q"); // the real (int8) encoder
        assertThat(code).isZero();
        ReportRepository repo = new ReportRepository(dir.resolve("reports"));
        List<ReportSummary> runs = repo.list();
        assertThat(runs).hasSize(1);
        EvalReport report = repo.read(runs.getFirst().runId()).orElseThrow();
        assertThat(report.suite()).isEqualTo("faithfulness");
        assertThat(report.label()).isEqualTo("test run");
        assertThat(report.headline()).extracting(EvalReport.Metric::name)
                .containsExactly("auroc.lexical", "auroc.embedding", "supportedShare", "citationPrecision", "citationRecall");
        assertThat(report.headline().get(2).value()).isEqualTo(1.0); // the one non-abstaining claim is verbatim
        assertThat(report.provenance().encoderModel()).isEqualTo("bge-small-en-v1.5-q");
        assertThat(report.provenance().encoderSha256()).hasSize(64);
        assertThat(report.provenance().inputs()).extracting(i -> i.sha256().length()).containsOnly(64);
        assertThat(report.charts().curves()).isNotEmpty();
        assertThat(report.charts().tables().getFirst().rows()).hasSize(2);
        assertThat(dir.resolve("reports").resolve(report.runId() + ".html")).exists();
    }

    @Test
    void badInputFailsWithAClearMessageAndNonZeroExit(@TempDir Path dir) {
        int code = Harness.commandLine().execute("--reports", dir.toString(), "faithfulness",
                "--squad", dir.resolve("missing.json").toString());
        assertThat(code).isNotZero();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void retrievalSuiteScoresExactSearchAndTheLuceneStoreOnTheMiniBeirFixture(@TempDir Path dir) {
        int code = Harness.commandLine().execute("--reports", dir.resolve("reports").toString(), "retrieval",
                "--beir", "src/test/resources/beir-mini", "--model", "bge-small-en-v1.5-q", "--instruction", "off",
                "--index", "exact,lucene", "--cache", dir.resolve("cache").toString(), "--filter-partitions", "2");
        assertThat(code).isZero();
        ReportRepository repo = new ReportRepository(dir.resolve("reports"));
        EvalReport report = repo.read(repo.list().getFirst().runId()).orElseThrow();
        List<List<Object>> rows = report.charts().tables().getFirst().rows();
        assertThat(rows).extracting(r -> r.get(0) + "/" + r.get(1)).containsExactly(
                "exact/dense", "exact/keyword", "exact/hybrid", "lucene/dense", "lucene/keyword", "lucene/hybrid",
                "exact, filtered/dense", "exact, filtered/keyword", "exact, filtered/hybrid",
                "lucene, filtered/dense", "lucene, filtered/keyword", "lucene, filtered/hybrid");
        // A handful of documents: HNSW finds the same neighbours as exact search, BM25 is exact in both, and the
        // in-memory RRF of the exact legs equals the store's fusion.
        for (int i = 0; i < 3; i++) {
            assertThat(rows.get(3 + i).get(3)).as("lucene vs exact, " + rows.get(i).get(1)).isEqualTo(rows.get(i).get(3));
            assertThat(rows.get(9 + i).get(3)).as("filtered, " + rows.get(i).get(1)).isEqualTo(rows.get(6 + i).get(3));
        }
        assertThat((Double) rows.get(0).get(3)).isBetween(0.0, 1.0).isPositive();
        assertThat((Double) rows.get(1).get(3)).isBetween(0.0, 1.0).isPositive();
        assertThat(report.headline()).extracting(EvalReport.Metric::name)
                .contains("ndcg@10 (exact, without instruction)", "ndcg@10 (lucene, without instruction)",
                        "ndcg@10 (lucene, keyword, without instruction)", "ndcg@10 (lucene, hybrid, without instruction)",
                        "ndcg@10 (lucene, filtered, hybrid, without instruction)");
        assertThat(report.provenance().encoderModel()).isEqualTo("bge-small-en-v1.5-q");
    }
}
