package dev.ragline.evaluation;

import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.ReportRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The generation suite with the real embedded GGUF reader and the real int8 encoder, on a 4-question fixture. */
class GenerationSuiteTest {

    @Test
    void squadFiguresAndAbstentionComeFromTheGenerationModulesEvaluation(@TempDir Path dir) {
        int code = Harness.commandLine().execute("--reports", dir.toString(), "generation",
                "--squad", "src/test/resources/squad-mini/squad-mini.json", "--model", "../generation/models/ragline-reader-v1.gguf",
                "--articles", "Paris,Berlin,Rome", "--k", "2", "--limit", "0", "--threads", "2");
        assertThat(code).isZero();
        ReportRepository repo = new ReportRepository(dir);
        EvalReport r = repo.read(repo.list().getFirst().runId()).orElseThrow();
        assertThat(r.charts().tables().getFirst().rows()).extracting(row -> row.get(0)).containsExactly("gold_paragraph", "retrieved");
        // 4 questions, 2 unanswerable: the always-abstain floor is exactly 50 EM.
        assertThat(r.headline().stream().filter(m -> m.name().equals("EM always-abstain floor")).findFirst().orElseThrow().value())
                .isEqualTo(50.0);
        Map<?, ?> gold = (Map<?, ?>) ((Map<?, ?>) r.metrics().get("squad")).get("gold_paragraph");
        assertThat(((Number) gold.get("total")).intValue()).isEqualTo(4);
        // Abstention recall by hand from the counts: abstentions on the 2 unanswerable questions / 2.
        double noAnsExact = ((Number) gold.get("NoAns_exact")).doubleValue();
        List<Object> row = r.charts().tables().getFirst().rows().getFirst();
        assertThat((Double) row.get(8)).isCloseTo(noAnsExact / 100, within(1e-9));
        assertThat(r.provenance().inputs()).extracting(i -> i.kind()).containsExactly("dataset", "model");
    }

    @Test
    void abstentionPrecisionAndRecallByHand() {
        // 10 questions, 4 unanswerable; 6 answered, so 4 abstained; NoAns EM 75% -> 3 right abstentions.
        GenerationSuite.Abstention a = GenerationSuite.Abstention.of(Map.of("total", 10, "answered", 6, "NoAns_total", 4,
                "NoAns_exact", 75.0));
        assertThat(a.precision()).isEqualTo(0.75);
        assertThat(a.recall()).isEqualTo(0.75);
        GenerationSuite.Abstention none = GenerationSuite.Abstention.of(Map.of("total", 3, "answered", 3, "NoAns_total", 0,
                "NoAns_exact", Double.NaN));
        assertThat(none.precision()).isNull();
        assertThat(none.recall()).isNull();
    }
}
