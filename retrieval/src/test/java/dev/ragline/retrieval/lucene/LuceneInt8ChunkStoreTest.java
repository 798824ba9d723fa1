package dev.ragline.retrieval.lucene;

import dev.ragline.core.ChunkStore;
import dev.ragline.retrieval.ChunkStoreContractTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The same contract with int8 scalar-quantized vectors: re-scoring must keep exact ranking and cosine scores. */
class LuceneInt8ChunkStoreTest extends ChunkStoreContractTest {
    @TempDir
    Path dir;

    @Override
    protected ChunkStore openStore(int dimension) {
        return LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("index"), dimension).withInt8(3));
    }
}
