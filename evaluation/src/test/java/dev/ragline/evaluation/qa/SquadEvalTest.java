package dev.ragline.evaluation.qa;

import dev.ragline.core.HashingEncoder;
import dev.ragline.generation.Generation;
import dev.ragline.generation.GenerationRequest;
import dev.ragline.generation.Generator;
import dev.ragline.generation.GroundedAnswerer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness around a scripted reader: which questions, which passages, how answers are scored. */
class SquadEvalTest {
    private static final SquadDataset MINI = SquadDataset.read(Path.of("src/test/resources/squad-mini/squad-mini.json"));

    /** Answers "1889 [1]" when a passage mentions the Eiffel Tower, "1989 [1][4]" for the wall, else abstains. */
    static final class ScriptedReader implements Generator {
        @Override public String modelId() { return "scripted"; }
        @Override public int contextWindow() { return 1024; }
        @Override public int countTokens(String text) { return text.length() / 4 + 1; }
        @Override public boolean supportsGrammar() { return false; }

        @Override
        public Generation generate(GenerationRequest r, Consumer<String> onToken) {
            String q = r.user().substring(r.user().lastIndexOf("Question:"));
            String out;
            if (q.contains("Eiffel") && r.user().contains("Eiffel Tower was finished")) out = " 1889 [1]";
            else if (q.contains("wall")) out = " 1989 [1][4]";
            else if (q.contains("Louvre")) out = " Paris [1]";
            else out = " The passages do not contain the answer.";
            onToken.accept(out);
            return new Generation(out, 100, 3, 2, false);
        }
    }

    @Test
    void scoresBothModesAgainstHandComputedValues() {
        Map<String, Object> report = SquadEval.evaluate(MINI, new GroundedAnswerer(new ScriptedReader()), new HashingEncoder(), 1, 0);
        assertThat(report).containsEntry("questions", 4);
        @SuppressWarnings("unchecked") Map<String, Object> floor = (Map<String, Object>) report.get("always_abstain");
        assertThat(floor).containsEntry("exact", 50.0).containsEntry("HasAns_exact", 0.0).containsEntry("NoAns_exact", 100.0);

        @SuppressWarnings("unchecked") Map<String, Object> gold = (Map<String, Object>) report.get("gold_paragraph");
        // q1 right, q2 (unanswerable) answered "Paris" wrongly, q3 right, q4 abstained rightly -> EM 75
        assertThat(gold).containsEntry("exact", 75.0).containsEntry("HasAns_exact", 100.0).containsEntry("NoAns_exact", 50.0);
        assertThat(gold).containsEntry("answered", 3).containsEntry("dropped_citations", 1); // [4] with one passage
        // Paris is in its cited passage too: all three answers are verbatim spans of what they cite
        assertThat(gold).containsEntry("verbatim_span_of_cited_share", 1.0);
        // 3 citations; passages holding a gold answer: q1 yes, q2 no (unanswerable), q3 yes -> 2/3
        assertThat(gold).containsEntry("citations", 3).containsEntry("cited_passage_contains_gold_share", 0.6667);

        @SuppressWarnings("unchecked") Map<String, Object> retrieved = (Map<String, Object>) report.get("retrieved");
        assertThat(retrieved).containsKeys("exact", "HasAns_f1", "NoAns_f1", "gold_paragraph_recall_at_k").containsEntry("k", 1);
    }

    @Test
    void limitSpreadsEvenlyAndHeldOutNamesMustExist() {
        Map<String, Object> report = SquadEval.evaluate(MINI, new GroundedAnswerer(new ScriptedReader()), null, 1, 2);
        assertThat(report).containsEntry("questions", 2).doesNotContainKey("retrieved");
        assertThat(MINI.only(Set.of("Rome", "Paris")).questionCount()).isEqualTo(3);
        assertThatThrownBy(() -> MINI.only(Set.of("Paris", "Atlantis"))).hasMessageContaining("Atlantis");
    }
}
