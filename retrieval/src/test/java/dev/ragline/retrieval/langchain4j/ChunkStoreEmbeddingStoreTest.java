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
        assertThat(ChunkStoreEmbeddingStore.toMetadataFilter(
                metadataKey("lang").isIn("en", "de").and(metadataKey("lang").isEqualTo("de"))))
                .isEqualTo(MetadataFilter.equalTo("lang", "de"));
    }

    @Test
    void refusesFiltersTheStoresCannotRun() {
        assertThatThrownBy(() -> searchTexts("x", metadataKey("year").isGreaterThan(2020)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("IsGreaterThan");
        assertThatThrownBy(() -> searchTexts("x", metadataKey("lang").isEqualTo("en").or(metadataKey("lang").isEqualTo("de"))))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("Or");
        assertThatThrownBy(() -> searchTexts("x", metadataKey("version").isEqualTo(2)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("chunk field");
        assertThatThrownBy(() -> searchTexts("x", metadataKey("lang").isEqualTo("en").and(metadataKey("lang").isEqualTo("de"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exclude each other");
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
        assertThatThrownBy(() -> store.removeAll(metadataKey("lang").isEqualTo("en")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
