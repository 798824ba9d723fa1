package dev.ragline.retrieval.qdrant;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchQuery;
import dev.ragline.retrieval.HybridSearchContractTest;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Points.PointStruct;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keyword (server-side qdrant/bm25) and hybrid (Query API, RRF) search against a real Qdrant server. */
class QdrantHybridSearchTest extends HybridSearchContractTest {
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
        collection = "hybrid_" + UUID.randomUUID().toString().replace("-", "");
    }

    private QdrantStoreConfig config() {
        return QdrantStoreConfig.defaults(server.host(), server.grpcPort(), collection, DIM).withUpsertBatchSize(2);
    }

    @Override
    protected ChunkStore openStore(int dimension) {
        return QdrantChunkStore.open(config());
    }

    @Test
    void aCollectionWithoutTheSparseVectorIsRefusedAndCanBeMigrated() throws Exception {
        String text = "pump P-200 manual";
        try (QdrantClient client = new QdrantClient(QdrantGrpcClient.newBuilder(server.host(), server.grpcPort(), false).build())) {
            client.createCollectionAsync(collection, VectorParams.newBuilder().setSize(DIM).setDistance(Distance.Cosine).build()).get();
            var c = chunk("old-1", 3, text, vec(1, 0, 0, 0), Map.of("lang", "en")).chunk();
            client.upsertAsync(collection, List.of(PointStruct.newBuilder().setId(id(UUID.fromString(c.id())))
                    .setVectors(vectors(vec(1, 0, 0, 0)))
                    .putPayload("document_id", value(c.documentId())).putPayload("version", value(c.version()))
                    .putPayload("index", value(c.index())).putPayload("text", value(c.text()))
                    .putPayload("title", value("")).putPayload("heading", value(""))
                    .putPayload("start_offset", value(0)).putPayload("end_offset", value(text.length()))
                    .putPayload("meta", value(Map.of("lang", value("en")))).build())).get();
        }
        assertThatThrownBy(() -> QdrantChunkStore.open(config()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no sparse vector 'bm25'").hasMessageContaining("QdrantChunkStore.migrate");

        String target = collection + "_v2";
        assertThat(QdrantChunkStore.migrate(config(), target)).isEqualTo(1);
        try (ChunkStore store = QdrantChunkStore.open(config().withCollection(target))) {
            var hits = store.search(SearchQuery.hybrid("P-200", vec(1, 0, 0, 0), 5, MetadataFilter.equalTo("lang", "en")));
            assertThat(hits).hasSize(1);
            assertThat(hits.getFirst().chunk().version()).isEqualTo(3);
            assertThat(hits.getFirst().keyword().rank()).isEqualTo(1);
            assertThat(hits.getFirst().dense().score()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        }
    }
}
