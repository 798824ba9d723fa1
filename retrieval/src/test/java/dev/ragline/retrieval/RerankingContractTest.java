package dev.ragline.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Vectors;
import dev.ragline.embedding.OnnxCrossEncoder;
import dev.ragline.retrieval.langchain4j.ChunkStoreContentRetriever;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The reranking stage on a real store with the real tiny cross-encoder fixture (embedding/test-fixtures/tiny-reranker:
 * plumbing, not a useful reranker). The fixture's six passages are indexed with hand-made vectors that put them in
 * the dense order of their reference scores reversed, so that reranking must turn the first stage around; the
 * scores must be those PyTorch computed for the same pairs.
 */
public abstract class RerankingContractTest {
    static final Path FIXTURE = Path.of("../embedding/test-fixtures/tiny-reranker");
    private static final int DIM = 4;
    private static final float[] QUERY_VECTOR = {1, 0, 0, 0};

    private static OnnxCrossEncoder model;
    private static String query;
    private static List<String> passages;
    private static Map<String, Double> reference; // passage text -> PyTorch score

    private ChunkStore store;

    protected abstract ChunkStore openStore(int dimension);

    @BeforeAll
    static void openModel() throws IOException {
        model = OnnxCrossEncoder.open(FIXTURE.resolve("model.onnx"), FIXTURE.resolve("tokenizer.json"), 512, 0);
        JsonNode fixture = new ObjectMapper().readTree(FIXTURE.resolve("reference.json").toFile());
        query = fixture.path("query").asText();
        passages = new ArrayList<>();
        fixture.path("passages").forEach(p -> passages.add(p.asText()));
        reference = new HashMap<>();
        fixture.path("pairs").forEach(p -> {
            if (p.path("query").asText().equals(query)) reference.put(p.path("passage").asText(), p.path("score").asDouble());
        });
        assertThat(reference).hasSize(passages.size());
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    /** Passage ids ordered by reference score, best first. */
    private static List<String> byReference(List<String> ids) {
        return ids.stream().sorted(Comparator.comparingDouble((String id) -> reference.get(text(id))).reversed()).toList();
    }

    private static String text(String id) {
        return passages.get(Integer.parseInt(id.substring(2)));
    }

    @BeforeEach
    void index() {
        store = openStore(DIM);
        // The worst-scoring passage gets the vector nearest the query: the dense order is the reference reversed.
        List<String> ascending = byReference(IntStream.range(0, passages.size()).mapToObj(i -> "p-" + i).toList()).reversed();
        List<StoredChunk> chunks = new ArrayList<>();
        for (int rank = 0; rank < ascending.size(); rank++) {
            String id = ascending.get(rank);
            double angle = Math.toRadians(5 + 10 * rank);
            float[] vector = Vectors.normalize(new float[]{(float) Math.cos(angle), (float) Math.sin(angle), 0, 0});
            String text = text(id);
            chunks.add(new StoredChunk(new Chunk(Chunk.idFor(id, 1, 0), id, 1, 0, text, "", "", 0, text.length(),
                    Map.of("group", Integer.parseInt(id.substring(2)) % 2 == 0 ? "even" : "odd")), vector));
        }
        store.upsert(chunks);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(h -> h.chunk().documentId()).toList();
    }

    @Test
    void rerankingOrdersTheCandidatesByTheCrossEncoderScores() {
        SearchQuery dense = new SearchQuery(query, QUERY_VECTOR, 6, MetadataFilter.NONE, SearchMode.DENSE);
        List<SearchHit> first = store.search(dense);
        List<SearchHit> reranked = new Reranker(model, 6).search(store, dense);

        assertThat(ids(reranked)).containsExactlyElementsOf(byReference(ids(first)));
        assertThat(ids(reranked)).containsExactlyElementsOf(ids(first).reversed()); // the first stage turned around
        for (SearchHit hit : reranked) {
            assertThat(hit.rerankScore()).isCloseTo(reference.get(hit.chunk().text()), within(1e-4));
            SearchHit before = first.stream().filter(h -> h.chunk().id().equals(hit.chunk().id())).findFirst().orElseThrow();
            assertThat(hit.score()).isEqualTo(before.score()); // the first stage's score and rank are kept
            assertThat(hit.dense()).isEqualTo(before.dense());
        }
        assertThat(first).allSatisfy(h -> assertThat(h.rerankScore()).isNull());
    }

    @Test
    void onlyTheCandidatesAreRescoredAndKOfThemReturned() {
        SearchQuery dense = new SearchQuery(query, QUERY_VECTOR, 2, MetadataFilter.NONE, SearchMode.DENSE);
        List<String> firstThree = ids(store.search(new SearchQuery(query, QUERY_VECTOR, 3, MetadataFilter.NONE, SearchMode.DENSE)));
        List<SearchHit> reranked = new Reranker(model, 3).search(store, dense);
        assertThat(ids(reranked)).containsExactlyElementsOf(byReference(firstThree).subList(0, 2));
    }

    @Test
    void theFilterAppliesToTheFirstStage() {
        var even = new MetadataFilter(Map.of("group", List.of("even")));
        List<SearchHit> reranked = new Reranker(model, 50).search(store, new SearchQuery(query, QUERY_VECTOR, 6, even, SearchMode.HYBRID));
        List<String> evens = List.of("p-0", "p-2", "p-4");
        assertThat(ids(reranked)).containsExactlyElementsOf(byReference(evens));
    }

    @Test
    void hybridAndKeywordHitsKeepTheirLegRanks() {
        for (SearchMode mode : List.of(SearchMode.HYBRID, SearchMode.KEYWORD)) {
            SearchQuery search = new SearchQuery(query, mode.usesVector() ? QUERY_VECTOR : null, 6, MetadataFilter.NONE, mode);
            Map<String, SearchHit> first = new HashMap<>();
            store.search(search).forEach(h -> first.put(h.chunk().id(), h));
            List<SearchHit> reranked = new Reranker(model, 6).search(store, search);
            assertThat(ids(reranked)).as(mode.wireName()).containsExactlyElementsOf(byReference(ids(reranked)));
            for (SearchHit hit : reranked) {
                SearchHit before = first.get(hit.chunk().id());
                assertThat(hit.keyword()).as(mode.wireName()).isEqualTo(before.keyword());
                assertThat(hit.dense()).isEqualTo(before.dense());
                assertThat(hit.score()).isEqualTo(before.score());
            }
        }
    }

    @Test
    void theContentRetrieverRerankesToo() {
        // keyword mode: the encoder is never called, so the fake one only has to have the store's dimension
        var retriever = new ChunkStoreContentRetriever(store, new HashingEncoder(DIM, 512), 3, MetadataFilter.NONE,
                SearchMode.KEYWORD, new Reranker(model, 6));
        List<Content> contents = retriever.retrieve(Query.from(query));
        List<SearchHit> expected = new Reranker(model, 6).search(store, SearchQuery.keyword(query, 3, MetadataFilter.NONE));
        assertThat(retriever.reranks()).isTrue();
        assertThat(contents).hasSize(expected.size());
        for (int i = 0; i < contents.size(); i++) {
            assertThat(contents.get(i).textSegment().text()).isEqualTo(expected.get(i).chunk().text());
            assertThat((Double) contents.get(i).metadata().get(ContentMetadata.SCORE))
                    .isCloseTo(reference.get(expected.get(i).chunk().text()), within(1e-4));
        }
    }
}
