package dev.ragline.retrieval.qdrant;

import dev.ragline.core.ChunkStore;
import dev.ragline.retrieval.VersionedWritesContractTest;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Versioned writes against a real Qdrant server. */
class QdrantVersionedWritesTest extends VersionedWritesContractTest {
    private static QdrantTestServer server;
    private String collection;

    @BeforeAll
    static void startServer() {
        server = QdrantTestServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @BeforeEach
    void freshCollection() {
        collection = "versioned_" + UUID.randomUUID().toString().replace("-", "");
    }

    @Override
    protected ChunkStore openStore(int dimension) {
        return QdrantChunkStore.open(QdrantStoreConfig.defaults(server.host(), server.grpcPort(), collection, dimension)
                .withUpsertBatchSize(2));
    }
}
