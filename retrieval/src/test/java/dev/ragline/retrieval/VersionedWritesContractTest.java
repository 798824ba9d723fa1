package dev.ragline.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ChunkStore#write}: replace and delete fenced by version, deletion markers, document states. Every store
 * that ingestion writes to must pass this (Lucene and a real Qdrant server).
 */
public abstract class VersionedWritesContractTest {
    protected static final int DIM = 4;
    private static final float[] QUERY = Vectors.normalize(new float[] {1, 0, 0, 0});
    private final List<ChunkStore> opened = new ArrayList<>();

    protected abstract ChunkStore openStore(int dimension);

    protected final ChunkStore open() {
        ChunkStore store = openStore(DIM);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ChunkStore::close);
    }

    protected static List<StoredChunk> chunks(String doc, long version, int count) {
        List<StoredChunk> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String text = doc + " v" + version + " #" + i;
            chunks.add(new StoredChunk(new Chunk(Chunk.idFor(doc, version, i), doc, version, i, text, "", "", 0,
                    text.length(), Map.of("team", "t")), Vectors.normalize(new float[] {1, i, version, 1})));
        }
        return chunks;
    }

    private static List<SearchHit> chunksOf(ChunkStore store, String doc) {
        return store.search(QUERY, 1000, MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, doc));
    }

    @Test
    void sourcePositionsAreWrittenWithTheWritesAndOnlyGrow() {
        ChunkStore store = open();
        assertThat(store.sourcePositions(List.of("docs/0"))).isEmpty();
        store.write(List.of(new DocumentWrite.Replace("doc", 1, chunks("doc", 1, 2))), Map.of("docs/0", 5L, "docs/1", 2L));
        assertThat(store.sourcePositions(List.of("docs/0", "docs/1", "docs/2")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("docs/0", 5L, "docs/1", 2L));
        // A lower position (a zombie, or a replay after an offset reset) never moves it back.
        store.write(List.of(new DocumentWrite.Delete("doc", 1)), Map.of("docs/0", 3L));
        store.write(List.of(), Map.of("docs/1", 9L));
        assertThat(store.sourcePositions(List.of("docs/0", "docs/1")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("docs/0", 5L, "docs/1", 9L));
        // Positions are neither chunks nor deletion markers.
        assertThat(store.count()).isZero();
        assertThat(store.search(QUERY, 10, MetadataFilter.NONE)).isEmpty();
        assertThat(store.documentStates(List.of("doc")).get("doc")).isEqualTo(new DocumentState(Map.of(), OptionalLong.of(1)));
    }

    @Test
    void replaceRemovesLowerVersionsOnlyAndIsFencedByHigherOnes() {
        ChunkStore store = open();
        store.replaceDocument("doc", 1, chunks("doc", 1, 3));
        store.replaceDocument("other", 1, chunks("other", 1, 2));
        store.replaceDocument("doc", 2, chunks("doc", 2, 2));
        assertThat(chunksOf(store, "doc")).hasSize(2).allSatisfy(h -> assertThat(h.chunk().version()).isEqualTo(2));
        assertThat(store.count()).isEqualTo(4);

        // A zombie or stale replay of v1 changes nothing: v2 stays, nothing of v1 comes back.
        store.replaceDocument("doc", 1, chunks("doc", 1, 3));
        assertThat(chunksOf(store, "doc")).hasSize(2).allSatisfy(h -> assertThat(h.chunk().version()).isEqualTo(2));
        assertThat(store.documentStates(List.of("doc", "other", "none"))).containsExactly(
                Map.entry("doc", new DocumentState(Map.of(2L, 2), OptionalLong.empty())),
                Map.entry("other", new DocumentState(Map.of(1L, 2), OptionalLong.empty())),
                Map.entry("none", DocumentState.ABSENT));
        assertThat(store.documentStates(List.of("doc")).get("doc").holdsExactly(2, 2)).isTrue();
    }

    @Test
    void aDeleteLeavesAMarkerThatRefusesStaleReplaysButNotNewerVersions() {
        ChunkStore store = open();
        store.replaceDocument("doc", 3, chunks("doc", 3, 2));
        store.deleteDocument("doc", 3);
        assertThat(chunksOf(store, "doc")).isEmpty();
        assertThat(store.count()).isZero();
        assertThat(store.documentVersion("doc")).isEmpty();
        assertThat(store.documentStates(List.of("doc")).get("doc"))
                .isEqualTo(new DocumentState(Map.of(), OptionalLong.of(3)));

        store.replaceDocument("doc", 2, chunks("doc", 2, 1));
        store.replaceDocument("doc", 3, chunks("doc", 3, 1));
        assertThat(chunksOf(store, "doc")).isEmpty();
        assertThat(store.search(QUERY, 10, MetadataFilter.NONE)).isEmpty();

        store.replaceDocument("doc", 4, chunks("doc", 4, 2));
        assertThat(chunksOf(store, "doc")).hasSize(2).allSatisfy(h -> assertThat(h.chunk().version()).isEqualTo(4));
        assertThat(store.count()).isEqualTo(2);
        // A stale delete (of v3) does not remove v4.
        store.deleteDocument("doc", 3);
        assertThat(chunksOf(store, "doc")).hasSize(2);
    }

    @Test
    void oneBatchAppliesInOrderAndAnEmptyReplaceOnlyPrunesLowerVersions() {
        ChunkStore store = open();
        store.write(List.of(new DocumentWrite.Replace("a", 1, chunks("a", 1, 3)),
                new DocumentWrite.Replace("b", 1, chunks("b", 1, 2))));
        // Left over from a cut-short update: both versions of a stored.
        store.upsert(chunks("a", 2, 2));
        store.write(List.of(new DocumentWrite.Replace("a", 2, List.of()), new DocumentWrite.Delete("b", 1),
                new DocumentWrite.Replace("c", 5, chunks("c", 5, 1))));
        assertThat(store.documentStates(List.of("a", "b", "c"))).containsExactly(
                Map.entry("a", new DocumentState(Map.of(2L, 2), OptionalLong.empty())),
                Map.entry("b", new DocumentState(Map.of(), OptionalLong.of(1))),
                Map.entry("c", new DocumentState(Map.of(5L, 1), OptionalLong.empty())));
        assertThat(store.count()).isEqualTo(3);
    }

    @Test
    void aSameVersionReplaceWithFewerChunksDropsTheTail() {
        ChunkStore store = open();
        store.replaceDocument("a", 1, chunks("a", 1, 5));
        store.replaceDocument("a", 1, chunks("a", 1, 2));
        assertThat(store.documentStates(List.of("a")).get("a").holdsExactly(1, 2)).isTrue();
        assertThat(store.count()).isEqualTo(2);
    }

    @Test
    void chunksOfAnotherDocumentOrVersionAreRefused() {
        assertThatThrownBy(() -> new DocumentWrite.Replace("a", 2, chunks("a", 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not of a v2");
    }
}
