package dev.ragline.app.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragline.ingestion.ContentType;
import dev.ragline.ingestion.DocumentEvent;
import dev.ragline.ingestion.SamplePublisher;
import dev.ragline.retrieval.qdrant.QdrantTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service on a real Qdrant server that is down when the service starts and crashes (SIGKILL) while it
 * runs: the service starts anyway, readiness over HTTP is DOWN (503) naming the store and, once ingestion has been
 * retrying for {@code ragline.ingestion.stalled-after}, the {@code ingestion} check's reason; when Qdrant is back,
 * readiness is UP again and every document published meanwhile is stored.
 */
class QdrantOutageIT {
    private static final Duration START = Duration.ofSeconds(180), WAIT = Duration.ofSeconds(90);
    private static final String READY = "/q/health/ready";

    @TempDir
    Path dir;

    private static List<DocumentEvent> documents(int from, int to) {
        List<DocumentEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++)
            events.add(DocumentEvent.upsert("outage-" + i, "Note " + i, "Maintenance note " + i + ": the pump in hall " + i
                    + " was serviced and runs again.", ContentType.PLAIN_TEXT, Map.of("team", "ops"), 1));
        return events;
    }

    /** Polls readiness until {@code condition} holds for the answer; returns that answer. */
    private static ServiceProcess.Response awaitReadiness(ServiceProcess service, String what, Predicate<ServiceProcess.Response> condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        ServiceProcess.Response last = null;
        while (System.nanoTime() < deadline) {
            last = service.get(READY);
            if (last != null && condition.test(last)) return last;
            ServiceProcess.sleep(200);
        }
        throw new AssertionError("timed out after " + WAIT + " waiting for readiness: " + what + "; last: " + last);
    }

    private static boolean down(ServiceProcess.Response r, String check) {
        JsonNode c = r.check(check);
        return r.status() == 503 && c != null && "DOWN".equals(c.path("status").asText());
    }

    private static long storedChunks(ServiceProcess.Response r) {
        return r.check("chunk-store").path("data").path("chunks").asLong(-1);
    }

    @Test
    void startsWithQdrantDownReportsBothOutagesOverHttpAndCatchesUpWhenQdrantIsBack() throws Exception {
        Path log = Path.of("target", "qdrant-outage-it.log");
        java.nio.file.Files.deleteIfExists(log);
        try (QdrantTestServer qdrant = QdrantTestServer.start()) {
            qdrant.kill(); // down before the service starts (its ports stay reserved for startAgain)
            try (ServiceProcess service = new ServiceProcess(dir.resolve("data"), log, Map.of(
                    "ragline.store.type", "qdrant",
                    "ragline.store.qdrant.host", qdrant.host(),
                    "ragline.store.qdrant.grpc-port", String.valueOf(qdrant.grpcPort()),
                    "ragline.store.qdrant.collection", "outage",
                    "ragline.ingestion.stalled-after", "PT2S",
                    "ragline.kafka.group-instance-id", "service-1"))) {
                service.start();
                // 1. Started although Qdrant is down: alive, not ready, and the store check says why.
                service.await("/q/health/live", 200, START);
                var notReady = service.await(READY, 503, WAIT);
                assertThat(notReady.check("chunk-store").path("status").asText()).isEqualTo("DOWN");
                assertThat(notReady.check("chunk-store").path("data").path("error").asText()).contains("not reachable");

                try (SamplePublisher publisher = new SamplePublisher(service.bootstrapServers(), "ragline.documents")) {
                    publisher.publishAll(documents(0, 20));
                    var stalled = awaitReadiness(service, "ingestion DOWN with a reason", r -> down(r, "ingestion")
                            && r.check("ingestion").path("data").has("reason"));
                    assertThat(stalled.check("ingestion").path("data").path("state").asText()).isEqualTo("RETRYING");
                    assertThat(stalled.check("ingestion").path("data").path("reason").asText()).contains("Qdrant");
                    // The batch in hand counts as lag although the consumer has polled it (not 0, as before). Records
                    // that arrive while the partitions are paused are not known to the consumer, so not always all 20.
                    assertThat(stalled.check("ingestion").path("data").path("lag").asLong()).isPositive();
                    service.note("ingestion DOWN while Qdrant never came: " + stalled.check("ingestion"));

                    // 2. Qdrant comes: readiness UP, and the backlog is stored.
                    qdrant.startAgain();
                    long back = System.nanoTime();
                    var caughtUp = awaitReadiness(service, "UP with 20 chunks", r -> r.status() == 200 && storedChunks(r) == 20);
                    Duration firstCatchUp = Duration.ofNanos(System.nanoTime() - back);
                    assertThat(caughtUp.check("ingestion").path("data").path("state").asText()).isEqualTo("RUNNING");

                    // 3. Qdrant crashes while the service runs and documents keep coming.
                    qdrant.kill();
                    publisher.publishAll(documents(20, 40));
                    var storeDown = awaitReadiness(service, "store DOWN", r -> down(r, "chunk-store"));
                    assertThat(storeDown.status()).isEqualTo(503);
                    var stalledAgain = awaitReadiness(service, "ingestion DOWN again", r -> down(r, "ingestion")
                            && r.check("ingestion").path("data").has("reason"));
                    assertThat(stalledAgain.check("ingestion").path("data").path("stalledSeconds").asLong()).isGreaterThanOrEqualTo(2);
                    assertThat(stalledAgain.check("ingestion").path("data").path("lag").asLong()).isPositive();
                    service.note("ingestion DOWN after Qdrant crashed: " + stalledAgain.check("ingestion"));

                    qdrant.startAgain();
                    back = System.nanoTime();
                    // Stored, and committed (lag 0): the commit follows the write, so the two may be seen apart.
                    var recovered = awaitReadiness(service, "UP with 40 chunks and lag 0", r -> r.status() == 200 && storedChunks(r) == 40
                            && r.check("ingestion").path("data").path("lag").asLong(-1) == 0);
                    Duration secondCatchUp = Duration.ofNanos(System.nanoTime() - back);
                    assertThat(recovered.check("ingestion").path("data").path("state").asText()).isEqualTo("RUNNING");
                    System.out.println("[qdrant outage test] Qdrant back to readiness UP with every document stored: "
                            + "after a start without Qdrant " + firstCatchUp + ", after a Qdrant crash " + secondCatchUp);
                }
            }
        }
    }
}
