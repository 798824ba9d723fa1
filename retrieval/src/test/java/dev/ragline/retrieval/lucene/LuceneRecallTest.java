package dev.ragline.retrieval.lucene;

import dev.ragline.core.Chunk;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.ClusteredVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void floatHnswRecallAt10IsNearExact() {
        assertThat(recallAt10(LuceneStoreConfig.defaults(dir.resolve("float"), DIM))).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void int8WithRescoringRecallAt10StaysCloseToFloat() {
        assertThat(recallAt10(LuceneStoreConfig.defaults(dir.resolve("int8"), DIM).withInt8(2))).isGreaterThanOrEqualTo(0.9);
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
