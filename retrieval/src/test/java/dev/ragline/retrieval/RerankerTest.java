package dev.ragline.retrieval;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.ragline.core.Chunk;
import dev.ragline.core.SearchHit;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reranking logic with a stand-in scoring model (the real cross-encoder runs in RerankingContractTest). */
class RerankerTest {
    private static final Map<String, Double> SCORES = Map.of("a", 1.0, "b", 3.0, "c", 3.0, "d", 2.0);
    private static final ScoringModel BY_TEXT = new ScoringModel() {
        @Override
        public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
            return Response.from(segments.stream().map(s -> SCORES.get(s.text())).toList());
        }
    };

    private static SearchHit hit(String text, int rank) {
        Chunk chunk = new Chunk(Chunk.idFor(text, 1, 0), text, 1, 0, text, "", "", 0, text.length(), Map.of());
        return new SearchHit(chunk, 1.0 / rank, new SearchHit.Leg(rank, 1.0 / rank), null);
    }

    @Test
    void ordersByScoreKeepsFirstStageOrderOnTiesAndCutsToK() {
        List<SearchHit> first = List.of(hit("a", 1), hit("c", 2), hit("b", 3), hit("d", 4));
        List<SearchHit> reranked = new Reranker(BY_TEXT, 10).rerank("q", first, 3);
        assertThat(reranked).extracting(h -> h.chunk().text()).containsExactly("c", "b", "d");
        assertThat(reranked).extracting(SearchHit::rerankScore).containsExactly(3.0, 3.0, 2.0);
        assertThat(reranked.getFirst().dense().rank()).isEqualTo(2);
        assertThat(new Reranker(BY_TEXT, 10).rerank("q", List.of(), 3)).isEmpty();
    }

    @Test
    void refusesBadArgumentsAndAModelThatLosesScores() {
        assertThatThrownBy(() -> new Reranker(BY_TEXT, 0)).isInstanceOf(IllegalArgumentException.class);
        ScoringModel lossy = (segments, query) -> Response.from(List.of(1.0));
        assertThatThrownBy(() -> new Reranker(lossy, 5).rerank("q", List.of(hit("a", 1), hit("b", 2)), 2))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("1 scores for 2 hits");
    }
}
