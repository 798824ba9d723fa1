package dev.ragline.evaluation.faithfulness;

import dev.ragline.evaluation.Progress;
import dev.ragline.evaluation.qa.SquadDataset;
import dev.ragline.evaluation.report.Charts;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class JudgeBenchmarkTest {
    static final java.util.function.BiFunction<String, Long, Progress> SILENT = (task, total) -> Progress.silent();
    static final Path SQUAD = Path.of("src/test/resources/squad-tiny.json");
    private final SquadDataset paragraphs = SquadDataset.read(SQUAD);

    @Test
    void buildsLabelledExamplesOfEveryKind() {
        List<JudgeBenchmark.Example> examples = JudgeBenchmark.build(paragraphs, 10, 1);
        List<JudgeBenchmark.Example> gold = examples.stream().filter(e -> e.kind().equals(JudgeBenchmark.GOLD)).toList();
        assertThat(gold).hasSize(5).allSatisfy(e -> {
            assertThat(e.supported()).isTrue();
            assertThat(e.passage()).contains(e.claim()); // the gold claim is a sentence of its passage
        });
        assertThat(examples).filteredOn(e -> e.kind().equals(JudgeBenchmark.WRONG_PASSAGE)).hasSize(5)
                .allSatisfy(e -> assertThat(e.supported()).isFalse());
        List<JudgeBenchmark.Example> altered = examples.stream()
                .filter(e -> e.kind().equals(JudgeBenchmark.ALTERED_FACT)).toList();
        assertThat(altered).isNotEmpty().allSatisfy(e -> {
            assertThat(e.supported()).isFalse();
            assertThat(e.passage()).doesNotContain(e.claim());
        });
        // Deterministic given the seed; at most one question per paragraph, capped by maxQuestions.
        assertThat(JudgeBenchmark.build(paragraphs, 10, 1)).isEqualTo(examples);
        assertThat(JudgeBenchmark.build(paragraphs, 2, 1)).filteredOn(JudgeBenchmark.Example::supported).hasSize(2);
    }

    @Test
    void alteredNumbersShiftAndAlteredNamesComeFromTheArticle() {
        String altered = JudgeBenchmark.alteredAnswer("1066", "conquered England in 1066", List.of(), new Random(3));
        assertThat(Integer.parseInt(altered)).isBetween(1067, 1075);
        String context = paragraphs.articles().getFirst().paragraphs().getFirst().context(); // mentions France and Rollo
        String swapped = JudgeBenchmark.alteredAnswer("Rollo", context,
                List.of("France", "Rollo", "William the Conqueror", "Alexios Komnenos", "helium"), new Random(3));
        assertThat(swapped).isIn("William the Conqueror", "Alexios Komnenos");
        assertThat(JudgeBenchmark.alteredAnswer("Rollo", context, List.of("France", "helium"), new Random(3))).isNull();
    }

    @Test
    void sentenceAroundCoversAnAnswerThatStraddlesSentences() {
        String text = "First one. Second starts here. Third.";
        int[] span = JudgeBenchmark.sentenceAround(text, text.indexOf("here"), text.indexOf("Third") + 2);
        assertThat(text.substring(span[0], span[1]).strip()).isEqualTo("Second starts here. Third.");
    }

    @Test
    void perfectAndInvertedJudgesScoreAurocOneAndZero() {
        List<JudgeBenchmark.Example> examples = JudgeBenchmark.build(paragraphs, 10, 1);
        SupportJudge oracle = judge((claim, passage) -> examples.stream()
                .filter(e -> e.claim().equals(claim) && e.passage().equals(passage)).findFirst().orElseThrow().supported() ? 1 : 0);
        JudgeBenchmark.JudgeResult r = JudgeBenchmark.evaluate(oracle, examples, SILENT);
        assertThat(r.auroc()).isEqualTo(1.0);
        assertThat(r.accuracy()).isEqualTo(1.0);
        assertThat(r.aurocByKind()).containsKeys(JudgeBenchmark.WRONG_PASSAGE, JudgeBenchmark.ALTERED_FACT);
        SupportJudge inverted = judge((c, p) -> 1 - oracle.score(c, List.of(p)));
        assertThat(JudgeBenchmark.evaluate(inverted, examples, SILENT).auroc()).isZero();
        SupportJudge constant = judge((c, p) -> 0.5);
        assertThat(JudgeBenchmark.evaluate(constant, examples, SILENT).auroc()).isEqualTo(0.5);
    }

    @Test
    void lexicalJudgeSeparatesTheFixtureSet() {
        List<JudgeBenchmark.Example> examples = JudgeBenchmark.build(paragraphs, 10, 1);
        JudgeBenchmark.JudgeResult r = JudgeBenchmark.evaluate(new LexicalJudge(), examples, SILENT);
        assertThat(r.auroc()).isGreaterThan(0.9);
        assertThat(r.scores()).hasSize(examples.size());
    }

    @Test
    void rocPointsByHandWithTies() {
        List<Charts.Curve.Point> points = JudgeBenchmark.roc(new double[]{0.9, 0.8, 0.8, 0.1},
                new boolean[]{true, false, true, false});
        assertThat(points).containsExactly(new Charts.Curve.Point(0, 0), new Charts.Curve.Point(0, 0.5),
                new Charts.Curve.Point(0.5, 1), new Charts.Curve.Point(1, 1));
    }

    interface Scorer {
        double score(String claim, String passage);
    }

    static SupportJudge judge(Scorer scorer) {
        return new SupportJudge() {
            public String name() {
                return "stub";
            }

            public double score(String claim, List<String> passages) {
                return scorer.score(claim, passages.getFirst());
            }

            public double threshold() {
                return 0.5;
            }
        };
    }
}
