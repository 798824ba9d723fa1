package dev.ragline.retrieval;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Keyword and hybrid search, the same on every store with a keyword index: a subclass says how to open its store
 * (a fresh location per test, default hybrid settings: 100 candidates per leg, RRF k = 60). Vectors are hand-made
 * so the dense ranking is known exactly; texts are chosen so the BM25 ranking is known too.
 */
public abstract class HybridSearchContractTest {
    protected static final int DIM = 4;
    private static final float[] QUERY = vec(1, 0, 0, 0);

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

    protected static float[] vec(float... values) {
        return Vectors.normalize(values.clone());
    }

    /** A unit vector at {@code degrees} from the query in the first two dimensions. */
    private static float[] at(double degrees) {
        double r = Math.toRadians(degrees);
        return vec((float) Math.cos(r), (float) Math.sin(r), 0, 0);
    }

    protected static StoredChunk chunk(String documentId, long version, String text, float[] vector,
                                       Map<String, String> metadata) {
        return new StoredChunk(new Chunk(Chunk.idFor(documentId, version, 0), documentId, version, 0, text, "", "",
                0, text.length(), metadata), vector);
    }

    private static StoredChunk chunk(String documentId, String text, float[] vector) {
        return chunk(documentId, 1, text, vector, Map.of());
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(h -> h.chunk().documentId()).toList();
    }

    /** 30 chunks about batteries close to the query vector, and one far from it that holds the error code. */
    private static List<StoredChunk> corpusWithIdentifier() {
        List<StoredChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 30; i++)
            chunks.add(chunk("near-" + i, "battery charging advice number " + i + " for cold weather rides",
                    at(1 + i)));
        chunks.add(chunk("code", "the controller reports fault ZX-4711 after a firmware update", at(120)));
        return chunks;
    }

    @Test
    void anExactIdentifierThatDenseSearchMissesIsFoundByKeywordAndHybrid() {
        ChunkStore store = open();
        assertThat(store.searchModes()).containsExactlyInAnyOrder(SearchMode.values());
        store.upsert(corpusWithIdentifier());
        String text = "what does ZX-4711 mean";

        List<SearchHit> dense = store.search(SearchQuery.dense(QUERY, 5, MetadataFilter.NONE));
        assertThat(ids(dense)).doesNotContain("code").startsWith("near-0");
        assertThat(dense.getFirst().dense().rank()).isEqualTo(1);
        assertThat(dense.getFirst().keyword()).isNull();

        List<SearchHit> keyword = store.search(SearchQuery.keyword(text, 5, MetadataFilter.NONE));
        assertThat(ids(keyword)).containsExactly("code");
        assertThat(keyword.getFirst().keyword().rank()).isEqualTo(1);
        assertThat(keyword.getFirst().dense()).isNull();
        assertThat(keyword.getFirst().score()).isPositive();

        List<SearchHit> hybrid = store.search(SearchQuery.hybrid(text, QUERY, 5, MetadataFilter.NONE));
        assertThat(hybrid).hasSize(5);
        // Found by both legs (dense rank 31 of 31, keyword rank 1), it beats chunks found by the dense leg alone.
        assertThat(hybrid.getFirst().chunk().documentId()).isEqualTo("code");
        assertThat(hybrid.getFirst().keyword().rank()).isEqualTo(1);
        assertThat(hybrid.getFirst().dense().rank()).isEqualTo(31);
        assertThat(hybrid.get(1).chunk().documentId()).isEqualTo("near-0");
        assertThat(hybrid.get(1).keyword()).isNull();
        assertThat(hybrid.get(1).dense().rank()).isEqualTo(1);
    }

    /**
     * Dense ranks a..e = 1..5 (angles from the query); only c, d, e contain "zebra", once each, and shorter texts
     * rank higher under BM25: keyword ranks e = 1, d = 2, c = 3. RRF with k = 60, by hand:
     * e = 1/65 + 1/61, d = 1/64 + 1/62, c = 1/63 + 1/63, a = 1/61, b = 1/62.
     */
    @Test
    void hybridScoresAreReciprocalRankFusionOfTheLegRanks() {
        ChunkStore store = open();
        store.upsert(List.of(
                chunk("a", "alpha bravo charlie delta echo foxtrot", at(0)),
                chunk("b", "golf hotel india juliett kilo lima", at(10)),
                chunk("c", "zebra mike november oscar papa quebec romeo sierra tango", at(20)),
                chunk("d", "zebra uniform victor whiskey xray", at(30)),
                chunk("e", "zebra yankee", at(40))));

        List<SearchHit> keyword = store.search(SearchQuery.keyword("zebra", 10, MetadataFilter.NONE));
        assertThat(ids(keyword)).containsExactly("e", "d", "c");

        List<SearchHit> hybrid = store.search(SearchQuery.hybrid("zebra", QUERY, 5, MetadataFilter.NONE));
        assertThat(ids(hybrid)).containsExactly("e", "d", "c", "a", "b");
        double[] expected = {1 / 65.0 + 1 / 61.0, 1 / 64.0 + 1 / 62.0, 2 / 63.0, 1 / 61.0, 1 / 62.0};
        for (int i = 0; i < expected.length; i++)
            assertThat(hybrid.get(i).score()).as("RRF score of " + ids(hybrid).get(i)).isCloseTo(expected[i], within(1e-6));
        int[][] legRanks = {{5, 1}, {4, 2}, {3, 3}, {1, 0}, {2, 0}};
        for (int i = 0; i < legRanks.length; i++) {
            SearchHit hit = hybrid.get(i);
            assertThat(hit.dense().rank()).isEqualTo(legRanks[i][0]);
            if (legRanks[i][1] == 0) assertThat(hit.keyword()).isNull();
            else assertThat(hit.keyword().rank()).isEqualTo(legRanks[i][1]);
        }
        // The dense leg's score is the cosine to the query.
        assertThat(hybrid.get(3).dense().score()).isCloseTo(1.0, within(1e-5));
        assertThat(hybrid.getFirst().dense().score()).isCloseTo(Math.cos(Math.toRadians(40)), within(1e-5));
    }

    @Test
    void theMetadataFilterAppliesToBothLegs() {
        ChunkStore store = open();
        store.upsert(List.of(
                chunk("en-code", 1, "fault ZX-4711 explained", at(90), Map.of("lang", "en")),
                chunk("de-code", 1, "Fehler ZX-4711 erklaert", at(100), Map.of("lang", "de")),
                chunk("en-near", 1, "battery care", at(0), Map.of("lang", "en")),
                chunk("de-near", 1, "Akku Pflege", at(5), Map.of("lang", "de"))));
        MetadataFilter german = MetadataFilter.equalTo("lang", "de");

        assertThat(ids(store.search(SearchQuery.keyword("ZX-4711", 10, german)))).containsExactly("de-code");
        assertThat(ids(store.search(SearchQuery.dense(QUERY, 10, german)))).containsExactly("de-near", "de-code");
        List<SearchHit> hybrid = store.search(SearchQuery.hybrid("ZX-4711", QUERY, 10, german));
        assertThat(ids(hybrid)).containsExactlyInAnyOrder("de-code", "de-near");
        assertThat(hybrid).allSatisfy(h -> assertThat(h.chunk().metadata()).containsEntry("lang", "de"));
        // Unfiltered, the keyword leg finds both languages.
        assertThat(ids(store.search(SearchQuery.keyword("ZX-4711", 10, MetadataFilter.NONE))))
                .containsExactlyInAnyOrder("en-code", "de-code");
        // A filter on the document id restricts the keyword leg too.
        assertThat(ids(store.search(SearchQuery.hybrid("ZX-4711", QUERY, 10,
                MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, "en-code"))))).containsExactly("en-code");
    }

    @Test
    void deletesAndUpdatesRemoveADocumentFromBothLegs() {
        ChunkStore store = open();
        store.upsert(List.of(
                chunk("manual", 1, "replace fuse F17 with a 10 A fuse", at(0), Map.of()),
                chunk("other", 1, "tyre pressure table", at(60), Map.of())));
        assertThat(ids(store.search(SearchQuery.keyword("fuse F17", 10, MetadataFilter.NONE)))).containsExactly("manual");

        // Update: version 2 no longer mentions F17; the old version is deleted.
        store.upsert(List.of(chunk("manual", 2, "replace fuse F18 with a 15 A fuse", at(0), Map.of())));
        store.deleteOtherVersions("manual", 2);
        assertThat(store.search(SearchQuery.keyword("F17", 10, MetadataFilter.NONE))).isEmpty();
        List<SearchHit> updated = store.search(SearchQuery.hybrid("F18", QUERY, 10, MetadataFilter.NONE));
        assertThat(ids(updated)).containsExactly("manual", "other");
        assertThat(updated.getFirst().chunk().version()).isEqualTo(2);
        assertThat(updated.getFirst().keyword().rank()).isEqualTo(1);

        // Delete: gone from the keyword leg and the dense leg.
        store.deleteDocument("manual");
        assertThat(store.search(SearchQuery.keyword("fuse F18", 10, MetadataFilter.NONE))).isEmpty();
        List<SearchHit> afterDelete = store.search(SearchQuery.hybrid("fuse F18", QUERY, 10, MetadataFilter.NONE));
        assertThat(ids(afterDelete)).containsExactly("other");
        assertThat(afterDelete.getFirst().keyword()).isNull();
    }

    @Test
    void aQueryWithoutKeywordMatchesFallsBackToTheDenseLegInHybrid() {
        ChunkStore store = open();
        store.upsert(List.of(chunk("a", "battery care", at(0)), chunk("b", "tyre pressure", at(45))));
        assertThat(store.search(SearchQuery.keyword("the of and", 10, MetadataFilter.NONE))).isEmpty();
        assertThat(ids(store.search(SearchQuery.hybrid("the of and", QUERY, 10, MetadataFilter.NONE))))
                .containsExactly("a", "b");
    }
}
