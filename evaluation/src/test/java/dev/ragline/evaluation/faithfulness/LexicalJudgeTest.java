package dev.ragline.evaluation.faithfulness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LexicalJudgeTest {
    private final LexicalJudge judge = new LexicalJudge(0.8);

    @Test
    void verbatimClaimScoresOne() {
        String passage = "The Normans conquered England in 1066 under William.";
        assertThat(judge.score("The Normans conquered England in 1066.", List.of(passage))).isEqualTo(1.0);
        assertThat(judge.supports("The Normans conquered England in 1066.", List.of(passage))).isTrue();
    }

    @Test
    void swappedNumberCostsContainmentAndSalientContainment() {
        // content words: normans, conquered, england, 1067 -> 3/4 found; salient: normans, england, 1067 -> 2/3.
        double score = judge.score("The Normans conquered England in 1067.",
                List.of("The Normans conquered England in 1066."));
        assertThat(score).isCloseTo((3.0 / 4 + 2.0 / 3) / 2, within(1e-12));
        assertThat(judge.supports("The Normans conquered England in 1067.",
                List.of("The Normans conquered England in 1066."))).isFalse();
    }

    @Test
    void withoutSalientWordsContainmentCountsTwice() {
        // content: oxygen, reactive, nonmetal -> 2/3 found in "oxygen is a reactive gas"
        assertThat(judge.score("oxygen is a reactive nonmetal", List.of("oxygen is a reactive gas")))
                .isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void wordsAreCollectedOverAllPassages() {
        assertThat(judge.score("Scheele found oxygen", List.of("Scheele worked in Uppsala.", "He found oxygen.")))
                .isEqualTo(1.0);
    }

    @Test
    void stopWordOnlyClaimFallsBackToAllWordsAndNoWordsScoreZero() {
        assertThat(judge.score("it was", List.of("It was there."))).isEqualTo(1.0);
        assertThat(judge.score("...", List.of("anything"))).isZero();
        assertThat(judge.supports("Something", List.of())).isFalse();
    }
}
