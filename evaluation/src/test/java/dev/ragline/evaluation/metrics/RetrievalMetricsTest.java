package dev.ragline.evaluation.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.ragline.evaluation.metrics.RetrievalMetrics.mrrAtK;
import static dev.ragline.evaluation.metrics.RetrievalMetrics.ndcgAtK;
import static dev.ragline.evaluation.metrics.RetrievalMetrics.rank;
import static dev.ragline.evaluation.metrics.RetrievalMetrics.recallAtK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Expected values computed by hand from the definitions (linear gain, log2(rank + 1) discount). */
class RetrievalMetricsTest {

    @Test
    void singleRelevantDocumentAtRankTwo() {
        List<String> ranking = List.of("a", "b", "c");
        Map<String, Integer> qrels = Map.of("b", 1);
        assertThat(ndcgAtK(ranking, qrels, 10)).isCloseTo(1 / (Math.log(3) / Math.log(2)), within(1e-12)); // 0.6309
        assertThat(mrrAtK(ranking, qrels, 10)).isEqualTo(0.5);
        assertThat(mrrAtK(ranking, qrels, 1)).isZero();
        assertThat(recallAtK(ranking, qrels, 1)).isZero();
        assertThat(recallAtK(ranking, qrels, 2)).isEqualTo(1.0);
    }

    @Test
    void gradedRelevanceUsesLinearGainAndTheIdealOrder() {
        // DCG = 2/log2(3) + 1/log2(4) = 1.76186; IDCG = 2/1 + 1/log2(3) + 1/log2(4) = 3.13093 -> 0.56273
        List<String> ranking = List.of("x", "a", "b");
        Map<String, Integer> qrels = Map.of("a", 2, "b", 1, "c", 1);
        assertThat(ndcgAtK(ranking, qrels, 10)).isCloseTo(0.5627272554209044, within(1e-12));
        assertThat(recallAtK(ranking, qrels, 10)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(mrrAtK(ranking, qrels, 10)).isEqualTo(0.5);
        // The ideal DCG is cut at k too: @1 the best possible is grade 2 at rank 1; we got grade 1 there.
        assertThat(ndcgAtK(List.of("c", "a"), Map.of("a", 2, "c", 1), 1)).isEqualTo(0.5);
        assertThat(ndcgAtK(List.of("a", "c"), Map.of("a", 2, "c", 1), 10)).isEqualTo(1.0);
    }

    @Test
    void kLargerThanTheRankingIsFine() {
        assertThat(ndcgAtK(List.of("a"), Map.of("a", 1), 10)).isEqualTo(1.0);
        assertThat(recallAtK(List.of("a"), Map.of("a", 1, "b", 1), 100)).isEqualTo(0.5);
        assertThat(mrrAtK(List.of(), Map.of("a", 1), 10)).isZero();
        assertThat(ndcgAtK(List.of(), Map.of("a", 1), 10)).isZero();
    }

    @Test
    void noRelevantDocumentsScoresZero() {
        List<String> ranking = List.of("a", "b");
        for (Map<String, Integer> qrels : List.of(Map.<String, Integer>of(), Map.of("a", 0), Map.of("b", -1))) {
            assertThat(ndcgAtK(ranking, qrels, 10)).isZero();
            assertThat(recallAtK(ranking, qrels, 10)).isZero();
            assertThat(mrrAtK(ranking, qrels, 10)).isZero();
        }
        // A judged-irrelevant document (grade 0) before the relevant one counts as a miss.
        assertThat(mrrAtK(List.of("a", "b"), Map.of("a", 0, "b", 1), 10)).isEqualTo(0.5);
    }

    @Test
    void tiesAreBrokenLikeTrecEvalByDocumentIdDescending() {
        List<String> ranking = rank(Map.of("d1", 0.5, "d2", 0.5, "d3", 0.9, "d10", 0.5));
        assertThat(ranking).containsExactly("d3", "d2", "d10", "d1");
        assertThat(mrrAtK(ranking, Map.of("d1", 1), 10)).isEqualTo(0.25);
    }

    @Test
    void duplicateDocumentsAreNotCountedTwiceByRecall() {
        assertThat(recallAtK(List.of("a", "a"), Map.of("a", 1, "b", 1), 10)).isEqualTo(0.5);
    }

    @Test
    void rejectsNonPositiveK() {
        assertThatThrownBy(() -> ndcgAtK(List.of("a"), Map.of("a", 1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be >= 1");
    }
}
