package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crashes: indexer processes (forked JVMs) are killed with SIGKILL at random moments while thousands of
 * documents, updates, tombstones and stale replays stream in through a real broker (in this JVM, external to the
 * indexers), then restarted with the same static member id. Afterwards every document is stored exactly once at its
 * latest version, deleted ones are absent, and no stale chunk remains: against Lucene, against a real Qdrant server
 * that is itself killed and restarted mid-ingestion, and with two indexers in one group sharing one Qdrant.
 */
class CrashRecoveryTest {
    private static final int PARTITIONS = 4;
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startTemporary();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    /** Publishes the events in slices from a background thread, so that kills land while events still arrive. */
    private static Thread publishSlowly(String topic, List<DocumentEvent> events, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
                for (int from = 0; from < events.size(); from += 100) {
                    publisher.publishAll(events.subList(from, Math.min(events.size(), from + 100)));
                    Thread.sleep(60);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "slow-publisher");
        t.start();
        return t;
    }

    private record Run(List<Duration> recoveries, int kills) {
    }

    /**
     * Runs one worker per instance id, kills one of them at random moments {@code kills} times (restarting it each
     * time), optionally calls {@code midway} once, and finally lets them finish.
     */
    private Run crashLoop(String topic, String group, List<String> instances, String store, int kills, long seed,
                          Runnable midway, Thread publisher) throws Exception {
        Random random = new Random(seed);
        Path log = Path.of("target", "crash-" + topic + ".log");
        java.nio.file.Files.deleteIfExists(log);
        Process[] workers = new Process[instances.size()];
        for (int i = 0; i < workers.length; i++)
            workers[i] = CrashHarness.startWorker(log, broker.bootstrapServers(), topic, group, instances.get(i), store);
        List<Duration> recoveries = new ArrayList<>();
        int done = 0;
        try {
            for (int k = 0; k < kills; k++) {
                Thread.sleep(1500 + random.nextInt(2000));
                int victim = random.nextInt(workers.length);
                long before = CrashHarness.committed(admin, group);
                CrashHarness.kill9(workers[victim]);
                java.nio.file.Files.writeString(log, java.time.LocalTime.now() + " TEST killed " + instances.get(victim) + "\n",
                        java.nio.file.StandardOpenOption.APPEND, java.nio.file.StandardOpenOption.CREATE);
                done++;
                if (k == kills / 2 && midway != null) midway.run();
                workers[victim] = CrashHarness.startWorker(log, broker.bootstrapServers(), topic, group, instances.get(victim), store);
                long end = CrashHarness.endOffsets(admin, topic, PARTITIONS);
                if (CrashHarness.committed(admin, group) < end) {
                    Duration d = CrashHarness.awaitCommitAbove(admin, group, Math.max(before, CrashHarness.committed(admin, group)), Duration.ofSeconds(60));
                    if (d != null) recoveries.add(d);
                }
            }
            publisher.join();
            long end = CrashHarness.endOffsets(admin, topic, PARTITIONS);
            KafkaTestSupport.await("every record committed", Duration.ofSeconds(120), () -> {
                try {
                    return CrashHarness.committed(admin, group) >= end;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            for (Process w : workers) CrashHarness.kill9(w); // a last crash: the state must be complete anyway
        }
        System.out.println("[crash test] " + topic + ": " + done + " kills, restart-to-first-commit " + recoveries);
        return new Run(recoveries, done);
    }

    @Test
    void lucene_killedAtRandomMomentsLosesNothingDuplicatesNothingAndLeavesNoStaleChunk() throws Exception {
        String topic = "crash-lucene";
        broker.createTopic(topic, PARTITIONS);
        List<DocumentEvent> events = CrashHarness.workload(11, 1500, 1000);
        Map<String, DocumentState> expected = CrashHarness.expectedStates(events);
        AtomicReference<Throwable> publishFailure = new AtomicReference<>();
        Thread publisher = publishSlowly(topic, events, publishFailure);
        Path index = dir.resolve("lucene");
        Run run = crashLoop(topic, "crash-lucene", List.of("indexer-1"), "lucene:" + index, 3, 1, null, publisher);
        assertThat(publishFailure.get()).isNull();
        assertThat(run.kills()).isEqualTo(3);

        try (ChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(index, IngestionWorkerMain.DIMENSION))) {
            assertThat(CrashHarness.differences(store, expected)).isEmpty();
            assertThat(expected.values().stream().filter(s -> s.liveVersion().isEmpty()).count()).isGreaterThan(100);
        }
        // Static membership: a restarted indexer got its partitions back and committed without waiting out the
        // session timeout (measured 2.6-14 s depending on the machine's load, JVM start included; dynamic
        // membership needs the 10 s session timeout used here plus the same start-up, and 45 s by default).
        assertThat(run.recoveries()).isNotEmpty().allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(40)));
    }

    @Test
    void qdrant_indexerAndQdrantKilledMidIngestionLeaveTheExactLatestState() throws Exception {
        String topic = "crash-qdrant";
        broker.createTopic(topic, PARTITIONS);
        List<DocumentEvent> events = CrashHarness.workload(22, 500, 400);
        Map<String, DocumentState> expected = CrashHarness.expectedStates(events);
        try (QdrantTestServer qdrant = QdrantTestServer.start()) {
            String store = "qdrant:" + qdrant.host() + ":" + qdrant.grpcPort() + ":crash";
            AtomicReference<Throwable> publishFailure = new AtomicReference<>();
            Thread publisher = publishSlowly(topic, events, publishFailure);
            crashLoop(topic, "crash-qdrant", List.of("indexer-1"), store, 2, 2, () -> {
                qdrant.kill(); // Qdrant crashes too, and stays down for a while
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                qdrant.startAgain();
            }, publisher);
            assertThat(publishFailure.get()).isNull();
            try (ChunkStore check = QdrantChunkStore.open(QdrantStoreConfig.defaults(qdrant.host(), qdrant.grpcPort(), "crash",
                    IngestionWorkerMain.DIMENSION))) {
                assertThat(CrashHarness.differences(check, expected)).isEmpty();
            }
        }
    }

    @Test
    void twoIndexersInOneGroupOnOneQdrantSurviveAKillAndRebalanceAndServeTheSameResults() throws Exception {
        String topic = "crash-two";
        broker.createTopic(topic, PARTITIONS);
        List<DocumentEvent> events = CrashHarness.workload(33, 500, 300);
        Map<String, DocumentState> expected = CrashHarness.expectedStates(events);
        try (QdrantTestServer qdrant = QdrantTestServer.start()) {
            String store = "qdrant:" + qdrant.host() + ":" + qdrant.grpcPort() + ":shared";
            AtomicReference<Throwable> publishFailure = new AtomicReference<>();
            Thread publisher = publishSlowly(topic, events, publishFailure);
            crashLoop(topic, "crash-two", List.of("indexer-a", "indexer-b"), store, 2, 3, null, publisher);
            assertThat(publishFailure.get()).isNull();
            var config = QdrantStoreConfig.defaults(qdrant.host(), qdrant.grpcPort(), "shared", IngestionWorkerMain.DIMENSION);
            try (ChunkStore a = QdrantChunkStore.open(config); ChunkStore b = QdrantChunkStore.open(config)) {
                assertThat(CrashHarness.differences(a, expected)).isEmpty();
                HashingEncoder encoder = new HashingEncoder(IngestionWorkerMain.DIMENSION, 64);
                List<SearchHit> fromA = a.search(encoder.embedQuery("v2w17 fact number 3"), 10, MetadataFilter.NONE);
                List<SearchHit> fromB = b.search(encoder.embedQuery("v2w17 fact number 3"), 10, MetadataFilter.NONE);
                assertThat(fromA).hasSize(10);
                assertThat(fromB.stream().map(h -> h.chunk().id()).toList()).isEqualTo(fromA.stream().map(h -> h.chunk().id()).toList());
            }
        }
    }
}
