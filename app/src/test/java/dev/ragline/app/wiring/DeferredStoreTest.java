package dev.ragline.app.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The service's store while Qdrant is down at start-up: calls fail as transient, and it connects once Qdrant is up. */
class DeferredStoreTest {
    @Test
    void startsWhileQdrantIsDownAndConnectsWhenItComesUp() throws Exception {
        try (QdrantTestServer server = QdrantTestServer.start()) {
            server.kill();
            var config = QdrantStoreConfig.defaults(server.host(), server.grpcPort(), "deferred", 4).withTimeout(Duration.ofSeconds(2));
            ChunkStore store = DeferredStore.open("Qdrant", 4, () -> QdrantChunkStore.open(config), Duration.ofMillis(200));
            try {
                assertThat(store.dimension()).isEqualTo(4);
                assertThatThrownBy(store::count).isInstanceOf(UncheckedIOException.class).hasMessageContaining("not reachable yet");
                server.startAgain();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    try {
                        store.count();
                        break;
                    } catch (UncheckedIOException e) {
                        if (System.nanoTime() > deadline) throw e;
                        Thread.sleep(100);
                    }
                }
                // Every method reaches the real store, default methods included.
                store.replaceDocument("a", 1, List.of(new StoredChunk(new Chunk(Chunk.idFor("a", 1, 0), "a", 1, 0, "t", "", "", 0, 1,
                        Map.of()), new float[] {1, 0, 0, 0})));
                assertThat(store.count()).isEqualTo(1);
                assertThat(store.documentStates(List.of("a")).get("a").holdsExactly(1, 1)).isTrue();
            } finally {
                store.close();
            }
        }
    }
}
