package dev.ragline.evaluation;

import dev.ragline.core.InMemoryChunkStore;
import dev.ragline.evaluation.retrieval.BeirDataset;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FilteredRetrievalTest {
    // "a".hashCode() = 97, "b" = 98, "c" = 99, "d" = 100: with 2 partitions a and c are in "1", b and d in "0".
    static final List<String> IDS = List.of("a", "b", "c", "d");
    static final List<float[]> VECTORS = List.of(v(0.6f, 0.8f), v(1, 0), v(0, 1), v(0.8f, -0.6f));
    // q1 points at b (then a), but its relevant document is a: unfiltered a is 2nd, filtered to "1" it is 1st.
    // q2 has no relevant document (grade 0 only): skipped.
    static final BeirDataset DATA = new BeirDataset(Map.of("a", "A", "b", "B", "c", "C", "d", "D"),
            new java.util.LinkedHashMap<>(Map.of("q1", "first")), Map.of("q1", Map.of("a", 1)), "sha");

    static float[] v(float x, float y) {
        return new float[]{x, y};
    }

    @Test
    void partitionsFollowTheIdHash() {
        assertThat(IDS).extracting(id -> FilteredRetrieval.partitionOf(id, 2)).containsExactly("1", "0", "1", "0");
    }

    @Test
    void exactFilteredSearchByHand() {
        FilteredRetrieval.Ranker exact = FilteredRetrieval.exact(IDS, VECTORS, 2);
        assertThat(exact.search(v(1, 0.1f), 10, "1")).containsExactly("a", "c");
        FilteredRetrieval.Scores s = FilteredRetrieval.evaluate(DATA, List.of(v(1, 0.1f)), exact, 2);
        assertThat(s.ndcg10()).isCloseTo(1.0, within(1e-12));
        assertThat(s.mrr10()).isEqualTo(1.0);
        assertThat(s.queries()).isEqualTo(1);
    }

    @Test
    void storeIsSearchedThroughItsFilter() {
        InMemoryChunkStore store = new InMemoryChunkStore(2);
        FilteredRetrieval.Ranker ranker = FilteredRetrieval.store(store, IDS, List.of("A", "B", "C", "D"), VECTORS, 2);
        assertThat(ranker.search(v(1, 0.1f), 10, "0")).containsExactly("b", "d");
        assertThat(FilteredRetrieval.evaluate(DATA, List.of(v(1, 0.1f)), ranker, 2).ndcg10()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void aStoreIgnoringTheFilterIsCaught() {
        FilteredRetrieval.Ranker leaky = (q, k, p) -> List.of("b", "a");
        assertThatThrownBy(() -> FilteredRetrieval.evaluate(DATA, List.of(v(1, 0)), leaky, 2))
                .hasMessageContaining("another partition");
    }

    @Test
    void queriesWithoutRelevantDocumentsAreSkippedAndCounted() {
        BeirDataset data = new BeirDataset(DATA.documents(), new java.util.LinkedHashMap<>(Map.of("q1", "x", "q2", "y")),
                Map.of("q1", Map.of("a", 1), "q2", Map.of("b", 0)), "sha");
        List<String> order = List.copyOf(data.queries().keySet());
        List<float[]> vectors = order.stream().map(q -> v(1, 0.1f)).toList();
        FilteredRetrieval.Scores s = FilteredRetrieval.evaluate(data, vectors, FilteredRetrieval.exact(IDS, VECTORS, 2), 2);
        assertThat(s.queries()).isEqualTo(1);
        assertThat(s.skipped()).isEqualTo(1);
    }
}
