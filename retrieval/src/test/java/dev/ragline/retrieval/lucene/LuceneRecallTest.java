package dev.ragline.retrieval.lucene;

import dev.ragline.core.Chunk;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Vectors;
import dev.ragline.retrieval.ClusteredVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Quality, not speed: HNSW float and int8 (with oversampling and exact re-scoring) find the exact top 10. */
class LuceneRecallTest {
    private static final int N = 4000;
    private static final int DIM = 64;
    private static final int QUERIES = 100;
    private static final int K = 10;

    @TempDir
    Path dir;

    private final ClusteredVectors generator = new ClusteredVectors(DIM, 40, 0.6, 42);
    private final float[][] data = generator.next(N);
    private final float[][] queries = generator.next(QUERIES);

    /** A small beam so the approximation shows: at efSearch 100 both find the exact top 10 every time. */
    private static final int EF_SEARCH = 16;

    @Test
    void floatHnswRecallAt10IsNearExact() {
        double recall = recallAt10(LuceneStoreConfig.defaults(dir.resolve("float"), DIM).withEfSearch(EF_SEARCH));
        assertThat(recall).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void int8WithOversamplingAndRescoringKeepsFloatRecallAndExactScores() {
        double asFloat = recallAt10(LuceneStoreConfig.defaults(dir.resolve("float"), DIM).withEfSearch(EF_SEARCH));
        LuceneStoreConfig int8 = LuceneStoreConfig.defaults(dir.resolve("int8"), DIM).withEfSearch(EF_SEARCH).withInt8(2);
        assertThat(recallAt10(int8)).isGreaterThanOrEqualTo(0.95).isGreaterThanOrEqualTo(asFloat - 0.01);
        try (LuceneChunkStore store = LuceneChunkStore.open(int8)) {
            for (var hit : store.search(queries[0], K, MetadataFilter.NONE)) {
                float[] stored = data[Integer.parseInt(hit.chunk().documentId())];
                assertThat(hit.score()).isCloseTo(Vectors.dot(queries[0], stored), within(1e-5));
            }
        }
    }

    private double recallAt10(LuceneStoreConfig config) {
        try (LuceneChunkStore store = LuceneChunkStore.open(config)) {
            List<StoredChunk> chunks = new ArrayList<>(N);
            for (int i = 0; i < N; i++) {
                String doc = Integer.toString(i);
                chunks.add(new StoredChunk(new Chunk(Chunk.idFor(doc, 1, 0), doc, 1, 0, "p" + i, "", "", 0, 0, Map.of()),
                        data[i]));
            }
            store.upsert(chunks);
            double sum = 0;
            for (float[] query : queries) {
                List<Integer> found = store.search(query, K, MetadataFilter.NONE).stream()
                        .map(h -> Integer.parseInt(h.chunk().documentId())).toList();
                sum += ClusteredVectors.recall(ClusteredVectors.exactTopK(data, query, K), found);
            }
            return sum / queries.length;
        }
    }
}
