package dev.ragline.evaluation.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportRepositoryTest {
    static final Path FIXTURES = Path.of("src/test/resources/reports");

    @Test
    void committedFixturesParseAndListNewestFirst() {
        List<ReportSummary> list = new ReportRepository(FIXTURES).list();
        assertThat(list).extracting(ReportSummary::runId).containsExactly(
                "20250104-100000-faithfulness-a7b8", "20250103-100000-retrieval-e5f6",
                "20250102-100000-classification-c3d4", "20250101-100000-classification-a1b2");
        EvalReport r = new ReportRepository(FIXTURES).read("20250101-100000-classification-a1b2").orElseThrow();
        assertThat(r.charts().reliability()).hasSize(2);
        assertThat(r.charts().confusion().getFirst().counts().get(0)).containsExactly(20L, 1L, 0L, 2L);
        assertThat(r.headline()).contains(EvalReport.Metric.lower("ece", 0.05));
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path dir) {
        ReportBuilder b = ReportBuilder.start("routing", "round trip").configure("threshold", 0.9)
                .headline(EvalReport.Metric.higher("coverage", 0.6))
                .metric("nested", Map.of("a", List.of(1, 2)))
                .curve(new Charts.Curve("c", "x", "y", List.of(new Charts.Curve.Point(0, 1))))
                .histogram(new Charts.Histogram("h", "x", Charts.Histogram.edges(2, 0, 1),
                        List.of(Charts.Histogram.count("s", new double[]{0.1, 0.7, 0.9, 1.0}, 2, 0, 1))));
        EvalReport report = b.finish();
        ReportRepository repo = new ReportRepository(dir);
        Path file = repo.write(report);
        assertThat(file).hasFileName(report.runId() + ".json");
        EvalReport back = repo.read(report.runId()).orElseThrow();
        assertThat(back).isEqualTo(report);
        assertThat(back.charts().histograms().getFirst().series().getFirst().counts()).containsExactly(1L, 3L);
        assertThat(repo.list()).extracting(ReportSummary::runId).containsExactly(report.runId());
        assertThat(back.provenance().javaVersion()).isNotBlank();
    }

    @Test
    void unknownIdIsEmptyAndUnsafeIdIsRefused(@TempDir Path dir) {
        ReportRepository repo = new ReportRepository(dir);
        assertThat(repo.read("nothing-here")).isEmpty();
        assertThat(repo.list()).isEmpty();
        assertThatThrownBy(() -> repo.readJson("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repo.readJson("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repo.readJson(".hidden")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ReportRepository(dir.resolve("missing")).list()).isEmpty();
    }

    @Test
    void brokenFileIsLeftOutOfTheListNotFatal(@TempDir Path dir) throws IOException {
        ReportRepository repo = new ReportRepository(dir);
        repo.write(ReportBuilder.start("faithfulness", null).finish());
        Files.writeString(dir.resolve("broken.json"), "{not json");
        assertThat(repo.list()).hasSize(1);
        assertThatThrownBy(() -> repo.read("broken")).hasMessageContaining("not a report");
    }

    @Test
    void newerSchemaIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> ReportRepository.parse(
                "{\"schemaVersion\":99,\"runId\":\"x\",\"suite\":\"retrieval\"}", "x.json"))
                .hasMessageContaining("schema version 99");
    }

    @Test
    void chartShapesAreChecked() {
        assertThatThrownBy(() -> new Charts.Confusion("c", List.of("a", "b"), List.of(List.of(1L, 2L))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Charts.Table("t", List.of("a"), List.of(List.of(1, 2))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Charts.Histogram("h", "x", List.of(0.0, 1.0),
                List.of(new Charts.Histogram.Series("s", List.of(1L, 2L))))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void folderChecksumCoversNamesAndContents(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a.txt"), "one");
        String before = ReportBuilder.sha256(dir);
        Files.writeString(dir.resolve("b.txt"), "two");
        assertThat(ReportBuilder.sha256(dir)).isNotEqualTo(before).hasSize(64);
        assertThatThrownBy(() -> ReportBuilder.sha256(dir.resolve("nope"))).hasMessageContaining("no such file");
    }
}
