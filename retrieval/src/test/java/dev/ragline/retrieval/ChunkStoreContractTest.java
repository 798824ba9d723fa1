package dev.ragline.retrieval;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The behaviour every {@link ChunkStore} must have. A subclass says how to open its store; each test method gets a
 * fresh, empty location (directory, collection) and may open it several times (reopen = same location).
 * Vectors are hand-made so the expected ranking is known exactly.
 */
public abstract class ChunkStoreContractTest {
    protected static final int DIM = 4;

    private final List<ChunkStore> opened = new ArrayList<>();

    /** Opens the store under test at this test's location; a second call after close reopens the same data. */
    protected abstract ChunkStore openStore(int dimension);

    /** Hook between close and reopen in the persistence test, for example to restart a server. */
    protected void restartBackend() {
    }

    protected final ChunkStore open(int dimension) {
        ChunkStore store = openStore(dimension);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ChunkStore::close);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    protected static float[] vec(float... values) {
        return Vectors.normalize(values.clone());
    }

    protected static StoredChunk chunk(String documentId, long version, int index, float[] vector,
                                       Map<String, String> metadata) {
        String text = "text of " + documentId + " v" + version + " #" + index;
        return new StoredChunk(new Chunk(Chunk.idFor(documentId, version, index), documentId, version, index, text,
                "Title " + documentId, "Heading > " + index, index * 100, index * 100 + text.length(), metadata),
                vector);
    }

    protected static StoredChunk chunk(String documentId, int index, float[] vector) {
        return chunk(documentId, 1, index, vector, Map.of());
    }

    private static List<String> documentIds(List<SearchHit> hits) {
        return hits.stream().map(h -> h.chunk().documentId()).toList();
    }

    private static final float[] QUERY = vec(1, 0, 0, 0);

    // ---- contract ------------------------------------------------------------------------------------------

    @Test
    void searchRanksByCosineAndReturnsAllChunkFields() {
        ChunkStore store = open(DIM);
        StoredChunk best = chunk("best", 1, 0, vec(1, 0, 0, 0), Map.of("lang", "en", "source.system", "wiki"));
        store.upsert(List.of(
                chunk("opposite", 0, vec(-1, 0, 0, 0)),
                chunk("orthogonal", 0, vec(0, 1, 0, 0)),
                chunk("half", 0, vec(1, 1, 1, 1)),
                best,
                chunk("close", 0, vec(0.9f, 0.1f, 0, 0))));

        List<SearchHit> hits = store.search(QUERY, 4, MetadataFilter.NONE);

        assertThat(documentIds(hits)).containsExactly("best", "close", "half", "orthogonal");
        assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-4));
        assertThat(hits.get(1).score()).isCloseTo(Vectors.dot(QUERY, vec(0.9f, 0.1f, 0, 0)), within(1e-4));
        assertThat(hits.get(2).score()).isCloseTo(0.5, within(1e-4));
        assertThat(hits.get(3).score()).isCloseTo(0.0, within(1e-4));
        assertThat(hits.get(0).chunk()).isEqualTo(best.chunk());
    }

    @Test
    void upsertIsIdempotentAndOverwritesById() {
        ChunkStore store = open(DIM);
        List<StoredChunk> batch = List.of(chunk("a", 0, vec(1, 0, 0, 0)), chunk("a", 1, vec(0, 1, 0, 0)),
                chunk("b", 0, vec(0, 0, 1, 0)));
        store.upsert(batch);
        store.upsert(batch);
        assertThat(store.count()).isEqualTo(3);
        assertThat(store.search(QUERY, 10, MetadataFilter.NONE)).hasSize(3)
                .extracting(h -> h.chunk().id()).doesNotHaveDuplicates();

        Chunk old = batch.getFirst().chunk();
        Chunk changed = new Chunk(old.id(), old.documentId(), old.version(), old.index(), "new text", old.title(),
                old.heading(), old.startOffset(), old.endOffset(), Map.of("lang", "fr"));
        store.upsert(List.of(new StoredChunk(changed, vec(0, 0, 0, 1))));
        assertThat(store.count()).isEqualTo(3);
        List<SearchHit> top = store.search(vec(0, 0, 0, 1), 1, MetadataFilter.NONE);
        assertThat(top.getFirst().chunk()).isEqualTo(changed);
    }

    @Test
    void metadataFiltersAreConjunctionsOfAnyOf() {
        ChunkStore store = open(DIM);
        store.upsert(List.of(
                chunk("en-wiki", 1, 0, vec(1, 0, 0, 0), Map.of("lang", "en", "source.system", "wiki")),
                chunk("en-blog", 1, 0, vec(0.9f, 0.1f, 0, 0), Map.of("lang", "en", "source.system", "blog")),
                chunk("de-wiki", 1, 0, vec(0.8f, 0.2f, 0, 0), Map.of("lang", "de", "source.system", "wiki")),
                chunk("fr-none", 1, 0, vec(0.7f, 0.3f, 0, 0), Map.of("lang", "fr"))));

        assertThat(documentIds(store.search(QUERY, 10, MetadataFilter.equalTo("lang", "en"))))
                .containsExactly("en-wiki", "en-blog");
        assertThat(documentIds(store.search(QUERY, 10,
                new MetadataFilter(Map.of("lang", List.of("de", "fr"))))))
                .containsExactly("de-wiki", "fr-none");
        assertThat(documentIds(store.search(QUERY, 10,
                new MetadataFilter(Map.of("lang", List.of("en", "de"), "source.system", List.of("wiki"))))))
                .containsExactly("en-wiki", "de-wiki");
        assertThat(documentIds(store.search(QUERY, 10,
                new MetadataFilter(Map.of(MetadataFilter.DOCUMENT_ID, List.of("fr-none", "en-blog"))))))
                .containsExactly("en-blog", "fr-none");
        assertThat(store.search(QUERY, 10, MetadataFilter.equalTo("lang", "nl"))).isEmpty();
        assertThat(store.search(QUERY, 10, MetadataFilter.equalTo("missing-key", "en"))).isEmpty();
    }

    @Test
    void filterIsAppliedBeforeRankingNotAfter() {
        // The only admitted chunk is the least similar of many: a post-filter over the top candidates would miss it.
        ChunkStore store = open(DIM);
        List<StoredChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 200; i++) chunks.add(chunk("near-" + i, 1, 0, vec(1, 0.001f * i, 0, 0), Map.of("lang", "en")));
        chunks.add(chunk("far", 1, 0, vec(-1, 0, 0.1f, 0), Map.of("lang", "de")));
        store.upsert(chunks);

        List<SearchHit> hits = store.search(QUERY, 3, MetadataFilter.equalTo("lang", "de"));
        assertThat(documentIds(hits)).containsExactly("far");
    }

    @Test
    void deleteDocumentRemovesAllItsChunksOnly() {
        ChunkStore store = open(DIM);
        store.upsert(List.of(chunk("a", 0, vec(1, 0, 0, 0)), chunk("a", 1, vec(1, 1, 0, 0)),
                chunk("b", 0, vec(1, 0, 1, 0))));
        store.deleteDocument("a");
        assertThat(store.count()).isEqualTo(1);
        assertThat(documentIds(store.search(QUERY, 10, MetadataFilter.NONE))).containsExactly("b");
        assertThat(store.documentVersion("a")).isEmpty();

        store.deleteDocument("never-stored");
        assertThat(store.count()).isEqualTo(1);
    }

    @Test
    void deleteOtherVersionsKeepsOnlyTheGivenVersion() {
        ChunkStore store = open(DIM);
        store.upsert(List.of(
                chunk("doc", 1, 0, vec(1, 0, 0, 0), Map.of()), chunk("doc", 1, 1, vec(1, 1, 0, 0), Map.of()),
                chunk("doc", 1, 2, vec(1, 0, 1, 0), Map.of()),
                chunk("doc", 2, 0, vec(1, 0, 0, 1), Map.of()), chunk("doc", 2, 1, vec(0, 1, 0, 1), Map.of()),
                chunk("other", 1, 0, vec(0, 0, 1, 0), Map.of())));

        store.deleteOtherVersions("doc", 2);

        assertThat(store.count()).isEqualTo(3);
        List<SearchHit> docHits = store.search(QUERY, 10, MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, "doc"));
        assertThat(docHits).extracting(h -> h.chunk().version()).containsOnly(2L).hasSize(2);
        assertThat(store.documentVersion("doc")).hasValue(2);
        assertThat(store.documentVersion("other")).hasValue(1);
    }

    @Test
    void documentVersionIsTheNewestStored() {
        ChunkStore store = open(DIM);
        assertThat(store.documentVersion("doc")).isEqualTo(OptionalLong.empty());
        store.upsert(List.of(chunk("doc", 3, 0, vec(1, 0, 0, 0), Map.of())));
        assertThat(store.documentVersion("doc")).hasValue(3);
        store.upsert(List.of(chunk("doc", 12, 0, vec(0, 1, 0, 0), Map.of())));
        assertThat(store.documentVersion("doc")).hasValue(12);
        assertThat(store.documentVersion("do")).isEmpty();
    }

    @Test
    void countFollowsWrites() {
        ChunkStore store = open(DIM);
        assertThat(store.count()).isZero();
        List<StoredChunk> many = new ArrayList<>();
        for (int i = 0; i < 25; i++) many.add(chunk("doc-" + (i % 5), i, vec(1, i, 0, 0)));
        store.upsert(many);
        assertThat(store.count()).isEqualTo(25);
        store.deleteDocument("doc-0");
        assertThat(store.count()).isEqualTo(20);
    }

    @Test
    void kLargerThanTheStoreReturnsEverything() {
        ChunkStore store = open(DIM);
        store.upsert(List.of(chunk("a", 0, vec(1, 0, 0, 0)), chunk("b", 0, vec(1, 1, 0, 0)),
                chunk("c", 0, vec(0, 0, 1, 0))));
        assertThat(documentIds(store.search(QUERY, 100, MetadataFilter.NONE))).containsExactly("a", "b", "c");
    }

    @Test
    void emptyStoreAnswersEmpty() {
        ChunkStore store = open(DIM);
        assertThat(store.search(QUERY, 5, MetadataFilter.NONE)).isEmpty();
        assertThat(store.search(QUERY, 5, MetadataFilter.equalTo("lang", "en"))).isEmpty();
        assertThat(store.count()).isZero();
        assertThat(store.documentVersion("x")).isEmpty();
        assertThat(store.dimension()).isEqualTo(DIM);
        store.upsert(List.of());
        assertThat(store.count()).isZero();
    }

    @Test
    void badVectorsAndArgumentsAreRefusedClearly() {
        ChunkStore store = open(DIM);
        assertThatThrownBy(() -> store.upsert(List.of(chunk("a", 0, vec(1, 0, 0, 0, 0)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 5");
        assertThatThrownBy(() -> store.upsert(List.of(chunk("a", 0, new float[]{1, 1, 0, 0}))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("L2-normalised");
        assertThatThrownBy(() -> store.search(vec(1, 0, 0), 3, MetadataFilter.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 3");
        assertThatThrownBy(() -> store.search(QUERY, 0, MetadataFilter.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be");
        assertThat(store.count()).isZero();
    }

    @Test
    void reopeningWithAnotherDimensionIsRefused() {
        ChunkStore store = open(DIM);
        store.upsert(List.of(chunk("a", 0, vec(1, 0, 0, 0))));
        store.close();
        assertThatThrownBy(() -> open(DIM + 4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dimension " + DIM).hasMessageContaining("dimension " + (DIM + 4));
    }

    @Test
    void concurrentWritersAndReadersShareOneStore() throws Exception {
        ChunkStore store = open(DIM);
        int writers = 4;
        int batches = 5;
        int perBatch = 6;
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int b = 0; b < batches; b++) {
                        List<StoredChunk> chunks = new ArrayList<>();
                        for (int i = 0; i < perBatch; i++)
                            chunks.add(chunk("w" + writer + "-b" + b, i, vec(1, writer, b, i + 1)));
                        store.upsert(chunks);
                        assertThat(store.search(QUERY, 5, MetadataFilter.NONE)).isNotEmpty();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(failures).isEmpty();
        assertThat(store.count()).isEqualTo((long) writers * batches * perBatch);
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        ChunkStore store = open(DIM);
        store.upsert(List.of(chunk("a", 7, 0, vec(1, 0, 0, 0), Map.of("lang", "en")),
                chunk("b", 1, 0, vec(0, 1, 0, 0), Map.of("lang", "de"))));
        store.close();
        restartBackend();

        ChunkStore reopened = open(DIM);
        assertThat(reopened.count()).isEqualTo(2);
        assertThat(reopened.documentVersion("a")).hasValue(7);
        List<SearchHit> hits = reopened.search(QUERY, 1, MetadataFilter.equalTo("lang", "en"));
        assertThat(documentIds(hits)).containsExactly("a");
        reopened.upsert(List.of(chunk("c", 0, vec(0, 0, 1, 0))));
        assertThat(reopened.count()).isEqualTo(3);
    }
}
