package dev.ragline.retrieval.lucene;

import dev.ragline.core.ChunkStore;
import dev.ragline.retrieval.RerankingContractTest;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The reranking stage over the embedded Lucene index. */
class LuceneRerankingTest extends RerankingContractTest {
    @TempDir
    Path dir;

    @Override
    protected ChunkStore openStore(int dimension) {
        return LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("index-" + System.nanoTime()), dimension));
    }
}
