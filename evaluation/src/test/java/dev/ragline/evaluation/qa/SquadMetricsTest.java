package dev.ragline.evaluation.qa;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Values worked out by hand with the rules of the official evaluate-v2.0.py. */
class SquadMetricsTest {

    @Test
    void normalisesLikeTheOfficialScript() {
        assertThat(SquadMetrics.normalize("The  Eiffel-Tower, (Paris)!")).isEqualTo("eiffeltower paris");
        assertThat(SquadMetrics.normalize("an apple and a pear")).isEqualTo("apple and pear");
        assertThat(SquadMetrics.normalize("Theory")).isEqualTo("theory"); // 'the' only as a whole word
        assertThat(SquadMetrics.normalize(" ... ")).isEmpty();
    }

    @Test
    void exactAndF1() {
        assertThat(SquadMetrics.exact("the Rhine", "Rhine")).isEqualTo(1);
        // pred {rhine, river, basin}, gold {rhine, river}: P = 2/3, R = 1, F1 = 0.8
        assertThat(SquadMetrics.f1("the Rhine river basin", "Rhine river")).isCloseTo(0.8, within(1e-9));
        // repeated tokens count once per occurrence: pred {a1,a1}, gold {a1}: P = 1/2, R = 1, F1 = 2/3
        assertThat(SquadMetrics.f1("x x", "x")).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(SquadMetrics.f1("Paris", "Berlin")).isZero();
    }

    @Test
    void unanswerableScoresOnlyAnAbstention() {
        assertThat(SquadMetrics.bestExact("", List.of())).isEqualTo(1);
        assertThat(SquadMetrics.bestF1("", List.of())).isEqualTo(1);
        assertThat(SquadMetrics.bestF1("Paris", List.of())).isZero();
        assertThat(SquadMetrics.bestF1("", List.of("1889"))).isZero();
        assertThat(SquadMetrics.bestExact("in 1989", List.of("1989", "in 1989"))).isEqualTo(1);
    }

    @Test
    void totalsSplitAnswerableAndUnanswerable() {
        SquadMetrics.Totals t = new SquadMetrics.Totals();
        t.add("1889", List.of("1889"));            // has-ans: EM 1, F1 1
        t.add("in the year 1989", List.of("1989")); // has-ans: EM 0, F1: pred {in, year, 1989} gold {1989} -> P 1/3 R 1 -> 0.5
        t.add("", List.of());                       // no-ans abstained: 1, 1
        t.add("Rome", List.of());                   // no-ans answered: 0, 0
        Map<String, Object> m = t.toMap();
        assertThat(m).containsEntry("total", 4).containsEntry("HasAns_total", 2).containsEntry("NoAns_total", 2);
        assertThat(m).containsEntry("exact", 50.0).containsEntry("f1", 62.5);
        assertThat(m).containsEntry("HasAns_exact", 50.0).containsEntry("HasAns_f1", 75.0);
        assertThat(m).containsEntry("NoAns_exact", 50.0).containsEntry("NoAns_f1", 50.0);
    }

    @Test
    void passageContainsAnswerOnWholeTokens() {
        assertThat(SquadMetrics.containsAnswer("The wall fell in 1989.", List.of("1989"))).isTrue();
        assertThat(SquadMetrics.containsAnswer("The wall fell in 19890.", List.of("1989"))).isFalse();
        assertThat(SquadMetrics.containsAnswer("anything", List.of())).isFalse();
    }
}
