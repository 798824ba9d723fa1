package dev.ragline.evaluation.faithfulness;

import dev.ragline.core.HashingEncoder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EmbeddingJudgeTest {

    @Test
    void scoreIsTheBestSentenceMatch() {
        EmbeddingJudge judge = new EmbeddingJudge(new HashingEncoder(), 0.9);
        String passage = "Oxygen has atomic number 8. Scheele found it in Uppsala.";
        // The claim equals one sentence of the passage: cosine 1 with that sentence.
        assertThat(judge.score("Scheele found it in Uppsala.", List.of(passage))).isCloseTo(1.0, within(1e-5));
        assertThat(judge.supports("Scheele found it in Uppsala.", List.of(passage))).isTrue();
        double unrelated = judge.score("Bananas grow in tropical climates.", List.of(passage));
        assertThat(unrelated).isLessThan(0.9);
        assertThat(judge.score("anything", List.of(""))).isZero();
    }
}
