package dev.ragline.retrieval.lucene;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.retrieval.ChunkStoreContractTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on the embedded Lucene index with float vectors, plus Lucene-only behaviour. */
class LuceneChunkStoreTest extends ChunkStoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected ChunkStore openStore(int dimension) {
        return LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("index"), dimension));
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefused() {
        open(DIM);
        assertThatThrownBy(() -> open(DIM))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already open");
    }

    @Test
    void closedStoreRefusesCalls() {
        ChunkStore store = open(DIM);
        store.close();
        assertThatThrownBy(store::count).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.search(vec(1, 0, 0, 0), 1, MetadataFilter.NONE))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anIndexWrittenAsInt8CanBeReopenedAsFloatAndKeepsItsData() {
        Path index = dir.resolve("mixed");
        try (ChunkStore int8 = LuceneChunkStore.open(LuceneStoreConfig.defaults(index, DIM).withInt8(2))) {
            int8.upsert(List.of(chunk("a", 0, vec(1, 0, 0, 0)), chunk("b", 0, vec(0, 1, 0, 0))));
        }
        try (ChunkStore asFloat = LuceneChunkStore.open(LuceneStoreConfig.defaults(index, DIM))) {
            asFloat.upsert(List.of(chunk("c", 0, vec(0, 0, 1, 0))));
            assertThat(asFloat.count()).isEqualTo(3);
            assertThat(asFloat.search(vec(0, 1, 0, 0), 1, MetadataFilter.NONE).getFirst().chunk().documentId())
                    .isEqualTo("b");
        }
    }

    @Test
    void forceMergeKeepsEveryChunkSearchable() {
        LuceneChunkStore store = (LuceneChunkStore) open(DIM);
        for (int batch = 0; batch < 5; batch++) // one commit per call: five segments
            store.upsert(List.of(chunk("doc-" + batch, 0, vec(1, batch, 0, 0)), chunk("doc-" + batch, 1, vec(0, batch, 1, 0))));
        store.deleteDocument("doc-3");
        store.forceMerge(1);
        assertThat(store.count()).isEqualTo(8);
        assertThat(store.search(vec(1, 0, 0, 0), 1, MetadataFilter.NONE).getFirst().chunk().documentId()).isEqualTo("doc-0");
        assertThat(store.search(vec(1, 0, 0, 0), 10, MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, "doc-3"))).isEmpty();
        assertThatThrownBy(() -> store.forceMerge(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configRejectsNonsense() {
        assertThatThrownBy(() -> LuceneStoreConfig.defaults(dir, 0)).hasMessageContaining("dimension");
        assertThatThrownBy(() -> LuceneStoreConfig.defaults(dir, 4).withHnsw(1, 100)).hasMessageContaining("maxConn");
        assertThatThrownBy(() -> LuceneStoreConfig.defaults(dir, 4).withInt8(0.5)).hasMessageContaining("oversample");
        assertThatThrownBy(() -> LuceneStoreConfig.defaults(dir, 4).withEfSearch(0)).hasMessageContaining("efSearch");
    }
}
