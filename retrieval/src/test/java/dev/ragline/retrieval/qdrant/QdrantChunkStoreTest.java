package dev.ragline.retrieval.qdrant;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.ChunkStoreContractTest;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract against a real Qdrant server started from the pinned binary, plus Qdrant-only behaviour. */
class QdrantChunkStoreTest extends ChunkStoreContractTest {
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
        collection = "contract_" + UUID.randomUUID().toString().replace("-", "");
    }

    @Override
    protected ChunkStore openStore(int dimension) {
        return QdrantChunkStore.open(config(dimension));
    }

    private QdrantStoreConfig config(int dimension) {
        // A tiny batch size so that every multi-chunk upsert in the contract goes out in several requests.
        return QdrantStoreConfig.defaults(server.host(), server.grpcPort(), collection, dimension)
                .withHnsw(8, 64, 50)
                .withUpsertBatchSize(3)
                .withIndexedMetadataKeys(List.of("lang", "source.system"));
    }

    @Override
    protected void restartBackend() {
        server.restart();
    }

    @Test
    void createsTheCollectionWithExplicitVectorHnswAndPayloadIndexSettings() throws Exception {
        open(DIM);
        try (QdrantClient client = new QdrantClient(
                QdrantGrpcClient.newBuilder(server.host(), server.grpcPort(), false).build())) {
            CollectionInfo info = client.getCollectionInfoAsync(collection).get();
            assertThat(info.getConfig().getParams().getVectorsConfig().getParams().getSize()).isEqualTo(DIM);
            assertThat(info.getConfig().getParams().getVectorsConfig().getParams().getDistance().name()).isEqualTo("Cosine");
            assertThat(info.getConfig().getHnswConfig().getM()).isEqualTo(8);
            assertThat(info.getConfig().getHnswConfig().getEfConstruct()).isEqualTo(64);
            assertThat(info.getPayloadSchemaMap()).containsKeys("document_id", "version", "meta.lang");
            assertThat(info.getPayloadSchemaMap()).hasSize(5); // plus the quoted path of "source.system" and the tenant
            assertThat(info.getPayloadSchemaMap().get("meta.tenant").getParams().getKeywordIndexParams().getIsTenant())
                    .as("the tenant field has Qdrant's tenant index").isTrue();
        }
    }

    @Test
    void pointIdsMustBeUuids() {
        ChunkStore store = open(DIM);
        StoredChunk notUuid = new StoredChunk(new Chunk("chunk-1", "doc", 1, 0, "t", "", "", 0, 1, Map.of()),
                vec(1, 0, 0, 0));
        assertThatThrownBy(() -> store.upsert(List.of(notUuid)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UUID");
    }

    @Test
    void anUnreachableServerFailsWithTheAddressInTheMessage() {
        QdrantStoreConfig nowhere = QdrantStoreConfig.defaults("127.0.0.1", 1, collection, DIM)
                .withTimeout(java.time.Duration.ofSeconds(2));
        assertThatThrownBy(() -> QdrantChunkStore.open(nowhere))
                .isInstanceOf(java.io.UncheckedIOException.class).hasMessageContaining("127.0.0.1:1");
    }
}
