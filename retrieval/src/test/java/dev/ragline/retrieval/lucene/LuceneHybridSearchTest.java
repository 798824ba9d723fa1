package dev.ragline.retrieval.lucene;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.HybridSearchContractTest;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.ragline.retrieval.StoredFields.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Keyword and hybrid search on the embedded Lucene index (float32 and int8), plus the index upgrade. */
class LuceneHybridSearchTest extends HybridSearchContractTest {
    @TempDir
    Path dir;

    @Override
    protected ChunkStore openStore(int dimension) {
        return LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("index"), dimension));
    }

    @Test
    void int8IndexRunsTheSameHybridSearch() {
        try (ChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("int8"), DIM).withInt8(2))) {
            store.upsert(List.of(chunk("a", 1, "alpha", vec(1, 0, 0, 0), Map.of()),
                    chunk("b", 1, "serial SN-991", vec(0, 1, 0, 0), Map.of())));
            var hits = store.search(SearchQuery.hybrid("SN-991", vec(1, 0, 0, 0), 2, MetadataFilter.NONE));
            assertThat(hits).extracting(h -> h.chunk().documentId()).containsExactly("b", "a");
            assertThat(hits.get(1).dense().score()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void theAnalyzerIsConfigurableAndChangingItReindexesTheKeywordField() {
        Path index = dir.resolve("analyzers");
        try (ChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(index, DIM)
                .withAnalyzer(KeywordAnalyzer.STANDARD))) {
            store.upsert(List.of(chunk("a", 1, "running shoes", vec(1, 0, 0, 0), Map.of())));
            // No stemming: "run" does not match "running".
            assertThat(store.search(SearchQuery.keyword("run", 5, MetadataFilter.NONE))).isEmpty();
        }
        try (ChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(index, DIM))) {
            // Re-indexed with the English analyzer on open: stemmed, so it matches now.
            assertThat(store.search(SearchQuery.keyword("run", 5, MetadataFilter.NONE)))
                    .extracting(h -> h.chunk().documentId()).containsExactly("a");
            assertThat(store.count()).isEqualTo(1);
        }
    }

    /** An index as written before the keyword field existed: same layout, no BM25 field, no analyzer recorded. */
    @Test
    void anIndexWithoutTheKeywordFieldIsUpgradedOnOpen() throws Exception {
        Path index = dir.resolve("old");
        try (var directory = FSDirectory.open(index);
             var writer = new IndexWriter(directory, new IndexWriterConfig())) {
            for (StoredChunk stored : List.of(chunk("old-1", 3, "pump P-200 manual", vec(1, 0, 0, 0), Map.of("lang", "en")),
                    chunk("old-2", 1, "saddle height", vec(0, 1, 0, 0), Map.of()))) {
                var c = stored.chunk();
                Document doc = new Document();
                doc.add(new StringField(LuceneChunkStore.ID, c.id(), Field.Store.YES));
                doc.add(new StringField(DOCUMENT_ID, c.documentId(), Field.Store.YES));
                doc.add(new LongField(VERSION, c.version(), Field.Store.YES));
                doc.add(new StoredField(INDEX, c.index()));
                doc.add(new StoredField(TEXT, c.text()));
                doc.add(new StoredField(TITLE, c.title()));
                doc.add(new StoredField(HEADING, c.heading()));
                doc.add(new StoredField(START_OFFSET, c.startOffset()));
                doc.add(new StoredField(END_OFFSET, c.endOffset()));
                c.metadata().forEach((k, v) -> doc.add(new StringField(LuceneChunkStore.META_PREFIX + k, v, Field.Store.YES)));
                doc.add(new KnnFloatVectorField(LuceneChunkStore.VECTOR, stored.vector(), VectorSimilarityFunction.DOT_PRODUCT));
                writer.addDocument(doc);
            }
            writer.setLiveCommitData(Map.of("ragline.dimension", "4").entrySet());
            writer.commit();
        }
        try (ChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(index, DIM))) {
            assertThat(store.count()).isEqualTo(2);
            var hits = store.search(SearchQuery.keyword("P-200", 5, MetadataFilter.equalTo("lang", "en")));
            assertThat(hits).hasSize(1);
            assertThat(hits.getFirst().chunk().documentId()).isEqualTo("old-1");
            assertThat(hits.getFirst().chunk().version()).isEqualTo(3);
            // The vector survived the upgrade.
            assertThat(store.search(vec(1, 0, 0, 0), 1, MetadataFilter.NONE).getFirst().score())
                    .isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        }
    }
}
