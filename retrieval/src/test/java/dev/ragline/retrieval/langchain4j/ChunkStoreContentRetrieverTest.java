package dev.ragline.retrieval.langchain4j;

import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Query;
import dev.ragline.core.Chunk;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchMode;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The LangChain4j ContentRetriever: query text, through our encoder, into a real (Lucene) chunk store. */
class ChunkStoreContentRetrieverTest {
    @TempDir
    Path dir;

    private final HashingEncoder encoder = new HashingEncoder();

    @Test
    void retrievesTheBestChunksWithScoreAndId() {
        List<String> passages = List.of("the broker stores partitions on disk",
                "the encoder turns passages into vectors", "the router sends hard questions to the decoder");
        try (LuceneChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, encoder.dimension()))) {
            List<float[]> vectors = encoder.embedPassages(passages);
            List<StoredChunk> chunks = new ArrayList<>();
            for (int i = 0; i < passages.size(); i++) {
                chunks.add(new StoredChunk(new Chunk(Chunk.idFor("doc-" + i, 1, 0), "doc-" + i, 1, 0, passages.get(i),
                        "Doc " + i, "", 0, passages.get(i).length(), Map.of("topic", i == 2 ? "routing" : "storage")), vectors.get(i)));
            }
            store.upsert(chunks);

            List<Content> contents = new ChunkStoreContentRetriever(store, encoder, 2)
                    .retrieve(Query.from("which encoder makes vectors from passages"));
            assertThat(contents).hasSize(2);
            assertThat(contents.getFirst().textSegment().text()).isEqualTo(passages.get(1));
            assertThat(contents.getFirst().textSegment().metadata().getString("document_id")).isEqualTo("doc-1");
            assertThat(contents.getFirst().metadata()).containsEntry(ContentMetadata.EMBEDDING_ID, Chunk.idFor("doc-1", 1, 0));
            assertThat((Double) contents.getFirst().metadata().get(ContentMetadata.SCORE))
                    .isGreaterThan((Double) contents.get(1).metadata().get(ContentMetadata.SCORE));

            List<Content> routing = new ChunkStoreContentRetriever(store, encoder, 5, MetadataFilter.equalTo("topic", "routing"))
                    .retrieve(Query.from("which encoder makes vectors from passages"));
            assertThat(routing).extracting(c -> c.textSegment().text()).containsExactly(passages.get(2));
        }
    }

    @Test
    void keywordAndHybridModesFindAnExactPartNumber() {
        List<String> passages = List.of("the broker stores partitions on disk", "spare part XK-9931 fits the rear hub",
                "the router sends hard questions to the decoder");
        try (LuceneChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, encoder.dimension()))) {
            List<float[]> vectors = encoder.embedPassages(passages);
            List<StoredChunk> chunks = new ArrayList<>();
            for (int i = 0; i < passages.size(); i++)
                chunks.add(new StoredChunk(new Chunk(Chunk.idFor("doc-" + i, 1, 0), "doc-" + i, 1, 0, passages.get(i),
                        "", "", 0, passages.get(i).length(), Map.of()), vectors.get(i)));
            store.upsert(chunks);

            var keyword = new ChunkStoreContentRetriever(store, encoder, 3, MetadataFilter.NONE, SearchMode.KEYWORD);
            assertThat(keyword.mode()).isEqualTo(SearchMode.KEYWORD);
            assertThat(keyword.retrieve(Query.from("XK-9931"))).extracting(c -> c.textSegment().text())
                    .containsExactly(passages.get(1));
            List<Content> hybrid = new ChunkStoreContentRetriever(store, encoder, 3, MetadataFilter.NONE, SearchMode.HYBRID)
                    .retrieve(Query.from("which part is XK-9931"));
            assertThat(hybrid).hasSize(3);
            assertThat(hybrid.getFirst().textSegment().text()).isEqualTo(passages.get(1));
        }
        // A store without a keyword index refuses the mode up front.
        assertThatThrownBy(() -> new ChunkStoreContentRetriever(new dev.ragline.core.InMemoryChunkStore(encoder.dimension()),
                encoder, 3, MetadataFilter.NONE, SearchMode.HYBRID))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not support hybrid");
    }

    @Test
    void refusesAnEncoderOfAnotherDimension() {
        try (LuceneChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, 32))) {
            assertThatThrownBy(() -> new ChunkStoreContentRetriever(store, encoder, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 32");
        }
    }
}
