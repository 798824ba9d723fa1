package dev.ragline.evaluation;

import dev.ragline.classifier.EncoderIdentity;
import dev.ragline.classifier.data.DatasetReader;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.train.ClassifierTrainer;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.evaluation.report.Charts;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.ReportRepository;
import dev.ragline.evaluation.report.RunProvenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The classification and routing suites over a classifier trained here, with the real (int8) encoder, on a tiny CLINC-layout fixture. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassifierSuitesTest {
    static final Path DATA = Path.of("src/test/resources/clinc-tiny.json");
    Path dir;
    Path artifact;

    @BeforeAll
    void train(@TempDir Path folder) {
        dir = folder;
        artifact = dir.resolve("tiny-artifact.json");
        Map<String, List<LabeledText>> splits = DatasetReader.readClinc(DATA);
        try (OnnxEncoder encoder = Encoders.open(EncoderConfig.of("bge-small-en-v1.5-q"))) {
            List<LabeledText> validation = new ArrayList<>(splits.get("val"));
            validation.addAll(splits.get("oos_val"));
            ClassifierTrainer.train(embed(encoder, splits.get("train")), embed(encoder, validation), "oos",
                    ClassifierTrainer.Options.defaults(), EncoderIdentity.of(encoder),
                    new ClassifierTrainer.DatasetInfo("clinc-tiny", "0".repeat(64)), Map.of()).artifact().write(artifact);
        }
    }

    private static LabeledEmbeddings embed(OnnxEncoder encoder, List<LabeledText> rows) {
        List<float[]> v = encoder.embedPassages(rows.stream().map(LabeledText::text).toList());
        return new LabeledEmbeddings(v.toArray(float[][]::new), rows.stream().map(LabeledText::label).toList());
    }

    private EvalReport runSuite(String... suiteArgs) {
        Path reports = dir.resolve("reports-" + suiteArgs[0]);
        List<String> args = new ArrayList<>(List.of("--reports", reports.toString()));
        args.addAll(List.of(suiteArgs));
        args.addAll(List.of("--artifact", artifact.toString(), "--test", DATA.toString(),
                "--embedding-cache", dir.resolve("cache").toString()));
        assertThat(Harness.commandLine().execute(args.toArray(String[]::new))).isZero();
        ReportRepository repo = new ReportRepository(reports);
        return repo.read(repo.list().getFirst().runId()).orElseThrow();
    }

    private static double headline(EvalReport r, String name) {
        return r.headline().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow().value();
    }

    @Test
    void classificationReportIsConsistentWithItsConfusionMatrix() {
        EvalReport r = runSuite("classification");
        Charts.Confusion confusion = r.charts().confusion().getFirst();
        assertThat(confusion.labels()).containsExactly("balance", "card_lost", "transfer");
        long total = 0, diagonal = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                total += confusion.counts().get(i).get(j);
                if (i == j) diagonal += confusion.counts().get(i).get(j);
            }
        assertThat(total).isEqualTo(12); // the in-scope test rows; out-of-scope rows are not in the matrix
        assertThat(headline(r, "accuracy")).isCloseTo((double) diagonal / total, within(1e-12));
        assertThat(r.charts().reliability()).hasSize(2)
                .allSatisfy(d -> assertThat(d.bins().stream().mapToLong(Charts.Reliability.Bin::count).sum()).isEqualTo(12));
        assertThat(headline(r, "oosAuroc")).isBetween(0.0, 1.0);
        assertThat(r.charts().tables().getFirst().rows()).hasSize(3);
        assertThat(r.provenance().encoderModel()).isEqualTo("bge-small-en-v1.5-q");
        assertThat(r.provenance().inputs()).extracting(RunProvenance.Input::kind).containsExactly("artifact", "dataset");
    }

    @Test
    void routingSharesAndSavingsFollowFromTheRouteCounts() {
        // Only the decoder costs (1 per request): the routed cost is the GENERATE count, the baseline every request.
        EvalReport r = runSuite("routing", "--classifier-cost", "0", "--retrieval-cost", "0", "--decoder-cost", "1",
                "--classifier-latency-ms", "10", "--retrieval-latency-ms", "0", "--decoder-latency-ms", "1000");
        double direct = headline(r, "share DIRECT"), generate = headline(r, "share GENERATE"), abstain = headline(r, "share ABSTAIN");
        assertThat(direct + generate + abstain).isCloseTo(1.0, within(1e-12));
        assertThat(headline(r, "cost saved (share)")).isCloseTo(1 - generate, within(1e-12));
        // latency: every request pays 10 ms, GENERATE ones 1000 more; baseline 1000.
        assertThat(headline(r, "latency saved per request (ms)")).isCloseTo(1000 - (10 + 1000 * generate), within(1e-9));
        assertThat(r.charts().curves().getFirst().points()).isNotEmpty()
                .allSatisfy(p -> assertThat(p.x()).isBetween(0.0, 1.0));
        assertThat(r.charts().tables().getFirst().rows()).hasSize(4);
    }

    @Test
    void anArtifactForAnotherEncoderIsRefused() throws IOException {
        Path forged = dir.resolve("forged.json");
        String json = Files.readString(artifact);
        String sha = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).path("encoder").path("sha256").asText();
        assertThat(sha).hasSize(64);
        Files.writeString(forged, json.replace(sha, "f".repeat(64)));
        int code = Harness.commandLine().execute("--reports", dir.resolve("forged-reports").toString(), "classification",
                "--artifact", forged.toString(), "--test", DATA.toString(), "--embedding-cache", dir.resolve("cache").toString());
        assertThat(code).isNotZero();
        assertThat(dir.resolve("forged-reports")).doesNotExist();
    }
}
