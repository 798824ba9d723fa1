package dev.ragline.retrieval.qdrant;

import dev.ragline.core.ChunkStore;
import dev.ragline.retrieval.RerankingContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.UUID;

/** The reranking stage over a real Qdrant server. */
class QdrantRerankingTest extends RerankingContractTest {
    private static QdrantTestServer server;

    @BeforeAll
    static void startServer() {
        server = QdrantTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @Override
    protected ChunkStore openStore(int dimension) {
        String collection = "rerank_" + UUID.randomUUID().toString().replace("-", "");
        return QdrantChunkStore.open(QdrantStoreConfig.defaults(server.host(), server.grpcPort(), collection, dimension));
    }
}
