package dev.ragline.retrieval.langchain4j;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The LangChain4j EmbeddingStore view over a real (Lucene) chunk store. */
class ChunkStoreEmbeddingStoreTest {
    @TempDir
    Path dir;

    private final HashingEncoder encoder = new HashingEncoder();
    private LuceneChunkStore chunks;
    private ChunkStoreEmbeddingStore store;

    @BeforeEach
    void open() {
        chunks = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, encoder.dimension()));
        store = new ChunkStoreEmbeddingStore(chunks);
    }

    @AfterEach
    void close() {
        chunks.close();
    }

    private Embedding embed(String text) {
        return Embedding.from(encoder.embedQuery(text));
    }

    private void addThree() {
        List<TextSegment> segments = List.of(
                TextSegment.from("kafka brokers replicate partitions", Metadata.from(Map.of(
                        "document_id", "kafka-guide", "version", 3L, "index", 0, "title", "Kafka", "lang", "en"))),
                TextSegment.from("qdrant stores vectors and payloads", Metadata.from(Map.of(
                        "document_id", "qdrant-guide", "lang", "en", "tier", "gold"))),
                TextSegment.from("lucene builds hnsw graphs for vectors", Metadata.from(Map.of(
                        "document_id", "lucene-guide", "lang", "de"))));
        List<String> ids = store.generateIds(3);
        store.addAll(ids, segments.stream().map(s -> embed(s.text())).toList(), segments);
    }

    private List<String> searchTexts(String query, Filter filter) {
        return store.search(EmbeddingSearchRequest.builder().queryEmbedding(embed(query)).maxResults(10)
                        .filter(filter).build())
                .matches().stream().map(m -> m.embedded().text()).toList();
    }

    @Test
    void roundTripsSegmentsWithMetadataAndRelevanceScores() {
        addThree();
        List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embed("kafka brokers replicate partitions")).maxResults(1).build()).matches();

        assertThat(matches).hasSize(1);
        EmbeddingMatch<TextSegment> best = matches.getFirst();
        assertThat(best.score()).isCloseTo(1.0, within(1e-4)); // relevance (cos + 1) / 2 of an identical vector
        assertThat(UUID.fromString(best.embeddingId())).isNotNull();
        Metadata meta = best.embedded().metadata();
        assertThat(meta.getString("document_id")).isEqualTo("kafka-guide");
        assertThat(meta.getLong("version")).isEqualTo(3L);
        assertThat(meta.getString("title")).isEqualTo("Kafka");
        assertThat(meta.getString("lang")).isEqualTo("en");
        assertThat(meta.getInteger("index")).isEqualTo(0);
        // Exactly the segment's own metadata comes back, with its types: nothing added.
        assertThat(meta.toMap()).containsOnlyKeys("document_id", "version", "index", "title", "lang");
        assertThat(best.embedding()).isNotNull();
    }

    @Test
    void translatesEqualInAndAndFilters() {
        addThree();
        assertThat(searchTexts("vectors", metadataKey("lang").isEqualTo("de")))
                .containsExactly("lucene builds hnsw graphs for vectors");
        assertThat(searchTexts("vectors", metadataKey("document_id").isIn("kafka-guide", "qdrant-guide")))
                .containsExactlyInAnyOrder("kafka brokers replicate partitions", "qdrant stores vectors and payloads");
        assertThat(searchTexts("vectors", metadataKey("lang").isEqualTo("en").and(metadataKey("tier").isEqualTo("gold"))))
                .containsExactly("qdrant stores vectors and payloads");
        assertThat(ChunkStoreEmbeddingStore.pushDown(
                metadataKey("lang").isIn("en", "de").and(metadataKey("lang").isEqualTo("de"))))
                .contains(MetadataFilter.equalTo("lang", "de"));
        // Ranges, or, not and numbers are not store filters: the adapter evaluates them itself.
        assertThat(ChunkStoreEmbeddingStore.pushDown(metadataKey("year").isGreaterThan(2020))).isEmpty();
        assertThat(ChunkStoreEmbeddingStore.pushDown(metadataKey("version").isEqualTo(3L))).isEmpty();
    }

    @Test
    void filtersBeyondKeywordMatchingAreEvaluatedByTheAdapter() {
        addThree();
        assertThat(searchTexts("x", metadataKey("lang").isEqualTo("en").or(metadataKey("lang").isEqualTo("de"))))
                .hasSize(3);
        assertThat(searchTexts("x", metadataKey("lang").isNotEqualTo("en")))
                .containsExactly("lucene builds hnsw graphs for vectors");
        // User keys named like chunk fields are ordinary, typed, filterable metadata.
        assertThat(searchTexts("x", metadataKey("version").isGreaterThan(2L)))
                .containsExactly("kafka brokers replicate partitions");
        assertThat(searchTexts("x", metadataKey("title").isEqualTo("Kafka")))
                .containsExactly("kafka brokers replicate partitions");
        assertThat(searchTexts("x", metadataKey("lang").isEqualTo("en").and(metadataKey("lang").isEqualTo("de"))))
                .isEmpty();
    }

    @Test
    void minScoreDropsWeakMatches() {
        addThree();
        List<EmbeddingMatch<TextSegment>> matches = store.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(embed("kafka brokers replicate partitions")).maxResults(10).minScore(0.9).build()).matches();
        assertThat(matches).extracting(m -> m.embedded().text()).containsExactly("kafka brokers replicate partitions");
    }

    @Test
    void addWithoutSegmentAndRemoveByDocumentId() {
        String id = store.add(embed("lonely vector"));
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(chunks.count()).isEqualTo(1);
        addThree();
        assertThat(chunks.count()).isEqualTo(4);

        store.removeAll(metadataKey("document_id").isEqualTo("kafka-guide"));
        assertThat(chunks.count()).isEqualTo(3);
        assertThat(chunks.documentVersion("kafka-guide")).isEmpty();
        store.removeAll(metadataKey("lang").isEqualTo("en"));
        assertThat(chunks.count()).isEqualTo(2); // the lonely vector and the German guide
        assertThatThrownBy(() -> store.removeAll((Filter) null))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("filter cannot be null");
        store.removeAll();
        assertThat(chunks.count()).isZero();
    }
}
