package dev.ragline.app;

import dev.ragline.retrieval.qdrant.QdrantTestServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The service configured for Qdrant: a real Qdrant server (started here) instead of the embedded Lucene store, and
 * queries encoded by the shipped distilled query encoder (passages by bge-small-en-v1.5, as in every profile).
 */
public class QdrantPlatformProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.of("ragline.data-dir", Files.createTempDirectory("ragline-app-qdrant-").toString(),
                    "ragline.store.type", "qdrant",
                    "ragline.encoder.query-model", "../embedding/models/bge-small-en-v1.5-query-4l",
                    "ragline.sample-corpus.publish", "false");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(QdrantResource.class));
    }

    public static class QdrantResource implements QuarkusTestResourceLifecycleManager {
        private QdrantTestServer server;

        @Override
        public Map<String, String> start() {
            server = QdrantTestServer.start();
            return Map.of("ragline.store.qdrant.host", server.host(),
                    "ragline.store.qdrant.grpc-port", String.valueOf(server.grpcPort()),
                    "ragline.store.qdrant.collection", "app_test");
        }

        @Override
        public void stop() {
            if (server != null) server.close();
        }
    }
}
