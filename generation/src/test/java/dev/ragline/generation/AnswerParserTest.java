package dev.ragline.generation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AnswerParserTest {

    @Test
    void splitsAnswerAndCitations() {
        AnswerParser.Parsed p = AnswerParser.parse(" roads, bridges and large plazas [1]", 3);
        assertThat(p.answer()).isEqualTo("roads, bridges and large plazas");
        assertThat(p.passages()).containsExactly(1);
        assertThat(p.dropped()).isZero();
        assertThat(p.abstained()).isFalse();
    }

    @Test
    void dropsAndCountsCitationsToPassagesNotGiven() {
        AnswerParser.Parsed p = AnswerParser.parse("Answer: Paris is the capital [2][7], see also [0] and [1, 2, 4].", 3);
        assertThat(p.answer()).isEqualTo("Paris is the capital, see also and.");
        assertThat(p.passages()).containsExactly(2, 1);
        assertThat(p.dropped()).isEqualTo(3); // 7, 0, 4
    }

    @Test
    void recognisesTheAbstainPhrase() {
        assertThat(AnswerParser.parse(" The passages do not contain the answer.", 2).abstained()).isTrue();
        assertThat(AnswerParser.parse("the passages do NOT contain the answer", 2).abstained()).isTrue();
        assertThat(AnswerParser.parse("", 2).abstained()).isTrue();
        AnswerParser.Parsed p = AnswerParser.parse("The passages do not contain the answer. [1]", 2);
        assertThat(p.abstained()).isTrue();
        assertThat(p.passages()).isEmpty();
        assertThat(AnswerParser.parse("The passages contain it: 42 [1]", 2).abstained()).isFalse();
    }
}
