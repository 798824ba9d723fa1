package dev.ragline.app.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.Encoder;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.ingestion.ContentType;
import dev.ragline.ingestion.CrashHarness;
import dev.ragline.ingestion.DocumentEvent;
import dev.ragline.ingestion.EmbeddedKafkaBroker;
import dev.ragline.ingestion.KafkaIngestionConsumer;
import dev.ragline.ingestion.KafkaTestSupport;
import dev.ragline.ingestion.SamplePublisher;
import dev.ragline.ingestion.TokenAwareSplitter;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service, as {@code bin/run} starts it (embedded broker inside its JVM, or an external broker; Lucene, or a
 * real Qdrant server that is killed too; the real bge-small encoder), killed with SIGKILL at random moments while thousands of documents, updates, tombstones, stale replays and poison
 * events stream into its broker, and restarted on the same data directory. Afterwards every document is stored
 * exactly once at its latest version, deleted ones are absent, no other chunk remains, and every poison event is on
 * the dead-letter topic with its reason.
 */
class ServiceCrashIT {
    private static final String TOPIC = "ragline.documents", DLQ = "ragline.documents.dlq", GROUP = "ragline-indexer";
    /** The service creates its topic with 3 partitions. */
    private static final int PARTITIONS = 3;
    /** The embedded broker's message.max.bytes (Kafka's default). */
    private static final int BROKER_LIMIT = 1_048_588;
    private static final int KILLS = 3;
    private static final Duration START = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    /** The real tokenizer with constant vectors: the expected end state depends on the service's chunking only. */
    private record TokensOf(OnnxEncoder encoder) implements Encoder {
        @Override public String modelId() { return encoder.modelId(); }
        @Override public String modelSha256() { return encoder.modelSha256(); }
        @Override public int dimension() { return encoder.dimension(); }
        @Override public int maxTokens() { return encoder.maxTokens(); }
        @Override public int countTokens(String text) { return encoder.countTokens(text); }
        @Override public float[] embedQuery(String query) { return unit(); }
        @Override public List<float[]> embedPassages(List<String> passages) { return passages.stream().map(p -> unit()).toList(); }

        private float[] unit() {
            float[] v = new float[dimension()];
            v[0] = 1;
            return v;
        }
    }

    /** The poison of issue 8, each under its own key, with what its dead-letter reason must say. */
    private static Map<String, Map.Entry<byte[], String>> poison() {
        Map<String, Map.Entry<byte[], String>> p = new LinkedHashMap<>();
        p.put("poison-nested-md", Map.entry(json("poison-nested-md", "> ".repeat(10_000) + "deep", ContentType.MARKDOWN, Map.of()), "max-nesting-depth"));
        p.put("poison-nested-html", Map.entry(json("poison-nested-html", "<div>".repeat(10_000) + "deep", ContentType.HTML, Map.of()), "HTML nests"));
        p.put("poison-big-meta", Map.entry(json("poison-big-meta", "text", ContentType.PLAIN_TEXT, Map.of("k", "v".repeat(40_000))), "max-metadata-value-bytes"));
        String hugeId = "poison-id-" + "x".repeat(2_000);
        p.put(hugeId, Map.entry(json(hugeId, "text", ContentType.PLAIN_TEXT, Map.of()), "max-id-bytes"));
        p.put("poison-non-utf8", Map.entry(new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, "not valid UTF-8"));
        byte[] nearLimit = new byte[BROKER_LIMIT - 1_000];
        Arrays.fill(nearLimit, (byte) 'x');
        p.put("poison-near-limit", Map.entry(nearLimit, "max-event-bytes"));
        String manySentences = IntStream.range(0, 1_000).mapToObj(i -> "The battery fact number " + i + " is worth knowing.")
                .collect(Collectors.joining(" "));
        p.put("poison-many-chunks", Map.entry(json("poison-many-chunks", manySentences, ContentType.PLAIN_TEXT, Map.of()), "max-chunks-per-event"));
        return p;
    }

    private static byte[] json(String id, String text, ContentType type, Map<String, String> metadata) {
        return DocumentEvent.upsert(id, "", text, type, metadata, 1).toValue();
    }

    private static Admin admin(ServiceProcess service) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, service.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    /** The group's committed offsets, 0 while the broker does not answer. */
    private static long committed(Admin admin) {
        try {
            return CrashHarness.committed(admin, GROUP);
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void killedAtRandomMomentsWithItsEmbeddedBrokerTheServiceLosesNothingDuplicatesNothingAndDeadLettersThePoison() throws Exception {
        crashRun(44, null, null);
    }

    /**
     * The same against an external broker: a KRaft broker in this test's JVM, a process of its own that the kills do
     * not touch, so publishing goes on while the service is down and it restarts into a backlog.
     */
    @Test
    void killedAtRandomMomentsWithAnExternalBrokerTheServiceLosesNothingDuplicatesNothingAndDeadLettersThePoison() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            broker.createTopic(TOPIC, PARTITIONS);
            broker.createTopic(DLQ, 1);
            crashRun(45, broker.bootstrapServers(), null);
        }
    }

    /**
     * The same on a real Qdrant server instead of Lucene (embedded broker), and the Qdrant server is SIGKILLed too,
     * once, between the first and the second kill of the service, and started again a few seconds later.
     */
    @Test
    void killedAtRandomMomentsOnQdrantWhichIsKilledTooTheServiceLosesNothingDuplicatesNothingAndDeadLettersThePoison() throws Exception {
        try (QdrantTestServer qdrant = QdrantTestServer.start()) {
            crashRun(46, null, qdrant);
        }
    }

    /**
     * @param externalBrokers bootstrap servers of an external broker, or null for the service's embedded one
     * @param qdrant          the Qdrant server to store in (killed and restarted once during the run), or null for Lucene
     */
    private void crashRun(long seed, String externalBrokers, QdrantTestServer qdrant) throws Exception {
        List<DocumentEvent> events = CrashHarness.workload(seed, 1_400, 600, 1, 3);
        Map<String, DocumentState> expected;
        try (OnnxEncoder encoder = Encoders.open(EncoderConfig.of("bge-small-en-v1.5"))) {
            TokensOf tokens = new TokensOf(encoder);
            // The service's chunking: ragline.chunking.max-tokens 256, overlap 32 (the defaults).
            expected = CrashHarness.expectedStates(events, tokens, TokenAwareSplitter.forEncoder(tokens, 256, 32));
        }
        var poison = poison();
        boolean embedded = externalBrokers == null;
        String setup = (embedded ? "embedded" : "external") + " broker, " + (qdrant == null ? "Lucene" : "Qdrant");
        Path log = Path.of("target", "service-crash-it-" + setup.replaceAll("[^A-Za-z]+", "-") + ".log");
        java.nio.file.Files.deleteIfExists(log);
        Random random = new Random(seed);
        List<Duration> recoveries = new ArrayList<>();
        Map<String, String> settings = new LinkedHashMap<>(Map.of(
                // Static membership, as the README advises for restarts: the restarted member gets its partitions at once.
                "ragline.kafka.group-instance-id", "service-1",
                "ragline.ingestion.max-chunks-per-event", "20"));
        if (!embedded) settings.put("ragline.kafka.bootstrap-servers", externalBrokers);
        if (qdrant != null) {
            settings.put("ragline.store.type", "qdrant");
            settings.put("ragline.store.qdrant.host", qdrant.host());
            settings.put("ragline.store.qdrant.grpc-port", String.valueOf(qdrant.grpcPort()));
            settings.put("ragline.store.qdrant.collection", "crash");
        }
        try (ServiceProcess service = new ServiceProcess(dir.resolve("data"), log, settings)) {
            service.start();
            service.await("/q/health/ready", 200, START);

            // Publishes in slices; with the embedded broker only while the service is up (the kill loop holds the
            // lock while the broker is down), with an external one throughout.
            ReentrantLock up = new ReentrantLock(true);
            AtomicReference<Throwable> publishFailure = new AtomicReference<>();
            Thread publisher = new Thread(() -> {
                try (SamplePublisher documents = new SamplePublisher(service.bootstrapServers(), TOPIC);
                     var raw = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, service.bootstrapServers(),
                             ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, BROKER_LIMIT),
                             new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (int from = 0; from < events.size(); from += 100) {
                        if (embedded) up.lock();
                        try {
                            documents.publishAll(events.subList(from, Math.min(events.size(), from + 100)));
                            if (from == 1_000) for (var p : poison.entrySet())
                                raw.send(new ProducerRecord<>(TOPIC, p.getKey().getBytes(StandardCharsets.UTF_8), p.getValue().getKey())).get();
                        } finally {
                            if (embedded) up.unlock();
                        }
                        Thread.sleep(100);
                    }
                } catch (Throwable e) {
                    publishFailure.set(e);
                }
            }, "publisher");
            publisher.start();

            long total = events.size() + poison.size();
            for (int k = 0; k < KILLS; k++) {
                if (k == 1 && qdrant != null) {
                    // Mid-ingestion: the store dies under the running service, which retries without committing.
                    service.note("killing Qdrant with SIGKILL");
                    qdrant.kill();
                    Thread.sleep(3_000);
                    qdrant.startAgain();
                    service.note("Qdrant started again");
                }
                // Kill at a random point of the stream, after about (k + 1) / (KILLS + 1) of it is committed (±1/8),
                // so that every kill and every restart has records left to do, however fast the machine.
                long target = (long) (total * (k + 1 + (random.nextDouble() - 0.5) / 2) / (KILLS + 1));
                long before;
                try (Admin admin = admin(service)) {
                    KafkaTestSupport.await("committed offsets past " + target, Duration.ofSeconds(300), () -> committed(admin) >= target);
                    Thread.sleep(random.nextInt(500)); // somewhere inside the next batch
                    up.lock();
                    before = CrashHarness.committed(admin, GROUP);
                }
                long killed = System.nanoTime();
                try {
                    service.kill9();
                    service.start();
                    service.await("/q/health/ready", 200, START);
                } finally {
                    up.unlock();
                }
                try (Admin admin = admin(service)) {
                    if (CrashHarness.committed(admin, GROUP) < CrashHarness.endOffsets(admin, TOPIC, PARTITIONS)
                            && CrashHarness.awaitCommitAbove(admin, GROUP, before, Duration.ofSeconds(120)) != null)
                        recoveries.add(Duration.ofNanos(System.nanoTime() - killed));
                }
            }
            publisher.join();
            assertThat(publishFailure.get()).isNull();
            long dead;
            try (Admin admin = admin(service)) {
                long end = CrashHarness.endOffsets(admin, TOPIC, PARTITIONS);
                assertThat(end).isEqualTo(events.size() + poison.size());
                KafkaTestSupport.await("every record committed", Duration.ofSeconds(300), () -> committed(admin) >= end);
                dead = CrashHarness.endOffsets(admin, DLQ, 1);
            }
            var ready = service.await("/q/health/ready", 200, Duration.ofSeconds(30));
            assertThat(ready.check("ingestion").path("data").path("state").asText()).isEqualTo("RUNNING");

            // Dead letters: at least one copy of each poison event (a kill between a dead-letter send and the commit
            // sends it again), with its reason, and nothing else.
            List<ConsumerRecord<byte[], byte[]>> letters = KafkaTestSupport.readFromStart(service.bootstrapServers(), DLQ,
                    (int) dead, Duration.ofSeconds(60));
            assertThat(letters).hasSize((int) dead);
            Map<String, ConsumerRecord<byte[], byte[]>> byKey = letters.stream().collect(Collectors.toMap(
                    r -> new String(r.key(), StandardCharsets.UTF_8), r -> r, (a, b) -> a));
            assertThat(byKey).containsOnlyKeys(poison.keySet());
            poison.forEach((key, p) -> assertThat(KafkaTestSupport.header(byKey.get(key), KafkaIngestionConsumer.REASON_HEADER))
                    .as("reason of %s", key.length() > 40 ? key.substring(0, 40) + "..." : key).contains(p.getValue()));
            assertThat(KafkaTestSupport.header(byKey.get("poison-near-limit"), KafkaIngestionConsumer.TRUNCATED_HEADER))
                    .isEqualTo(String.valueOf(BROKER_LIMIT - 1_000));
            service.kill9(); // a last crash: the state must be complete anyway
        }
        System.out.println("[service crash test, " + setup + "] " + KILLS
                + " kills; kill to first commit after the restart " + recoveries);

        try (ChunkStore store = qdrant != null ? QdrantChunkStore.open(QdrantStoreConfig.defaults(qdrant.host(), qdrant.grpcPort(), "crash", 384))
                : LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("data").resolve("lucene"), 384))) {
            assertThat(CrashHarness.differences(store, expected)).isEmpty();
            assertThat(expected.values().stream().filter(s -> s.liveVersion().isEmpty()).count()).as("deleted documents").isGreaterThan(50);
            assertThat(expected.values().stream().filter(s -> s.liveVersion().orElse(0) > 1).count()).as("updated documents").isGreaterThan(100);
        }
        assertThat(recoveries).hasSize(KILLS);
    }
}
