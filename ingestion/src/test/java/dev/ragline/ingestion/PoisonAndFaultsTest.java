package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.Tenant;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison and faults through a real broker into a real Lucene index: every bad event lands on the dead-letter topic
 * with its reason, the valid events around it are indexed, and the consumer never stops.
 */
class PoisonAndFaultsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    /** The broker's default message.max.bytes. */
    private static final int BROKER_LIMIT = 1_048_588;
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    @TempDir
    Path dir;
    private final HashingEncoder encoder = new HashingEncoder(64, 64);
    private ChunkStore lucene;
    private final List<KafkaIngestionConsumer> consumers = new ArrayList<>();
    private String topic;
    private IngestionConfig config;

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

    @BeforeEach
    void setUp() {
        topic = "poison-" + TOPICS.incrementAndGet();
        broker.createTopic(topic, 2);
        broker.createTopic(topic + ".dlq", 1);
        lucene = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir.resolve("index"), 64));
        config = IngestionConfig.defaults(broker.bootstrapServers()).withTopic(topic, null).withGroupId("group-" + topic)
                .withMaxPollRecords(20).withRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(300))
                .withLimits(IngestionLimits.DEFAULTS.withMaxChunksPerEvent(20), 0);
    }

    @AfterEach
    void tearDown() {
        consumers.forEach(KafkaIngestionConsumer::close);
        lucene.close();
    }

    private KafkaIngestionConsumer start(ChunkStore store, IngestionStats stats) {
        var indexer = new DocumentIndexer(encoder, store, TokenAwareSplitter.forEncoder(encoder, 64, 8), 8, config.limits());
        KafkaIngestionConsumer consumer = new KafkaIngestionConsumer(config, indexer, stats);
        consumers.add(consumer);
        consumer.start();
        return consumer;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(String id, String text, String contentType, Map<String, String> metadata) {
        return DocumentEvent.upsert(id, "", text, ContentType.fromMediaType(contentType), metadata, 1).toValue();
    }

    private void produce(List<Map.Entry<byte[], byte[]>> records) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, BROKER_LIMIT),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (var kv : records) producer.send(new ProducerRecord<>(topic, kv.getKey(), kv.getValue())).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Ids of the documents indexed, as published (the events carry no tenant header: the default tenant). */
    private Set<String> indexedDocuments() {
        return Tenant.DEFAULT.search(lucene, SearchQuery.dense(encoder.embedQuery("x"), 10_000, MetadataFilter.NONE)).stream()
                .map(h -> h.chunk().documentId()).collect(Collectors.toSet());
    }

    private Set<String> storedIds(Set<String> ids) {
        return ids.stream().map(Tenant.DEFAULT::qualify).collect(Collectors.toSet());
    }

    private long committed() throws Exception {
        return admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(OffsetAndMetadata::offset).sum();
    }

    private long endOffsets() throws Exception {
        var request = Map.of(new TopicPartition(topic, 0), OffsetSpec.latest(), new TopicPartition(topic, 1), OffsetSpec.latest());
        return admin.listOffsets(request).all().get().values().stream().mapToLong(r -> r.offset()).sum();
    }

    private static String sentences(int n) {
        return DocumentIndexerTest.sentences("battery", n);
    }

    @Test
    void everyKindOfPoisonIsDeadLetteredWithItsReasonAndTheValidEventsAroundItAreIndexed() throws Exception {
        IngestionStats stats = new IngestionStats();
        KafkaIngestionConsumer consumer = start(lucene, stats);
        byte[] nonUtf8 = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        byte[] nearBrokerLimit = new byte[BROKER_LIMIT - 1_000];
        java.util.Arrays.fill(nearBrokerLimit, (byte) 'x');
        String hugeId = "id-" + "x".repeat(2_000);
        List<Map.Entry<byte[], byte[]>> records = List.of(
                Map.entry(utf8("good-1"), json("good-1", sentences(3), "text/plain", Map.of())),
                Map.entry(utf8("nested-md"), json("nested-md", "> ".repeat(10_000) + "deep", "text/markdown", Map.of())),
                Map.entry(utf8("nested-html"), json("nested-html", "<div>".repeat(10_000) + "deep", "text/html", Map.of())),
                Map.entry(utf8("big-meta"), json("big-meta", "text", "text/plain", Map.of("k", "v".repeat(40_000)))),
                Map.entry(utf8(hugeId), json(hugeId, "text", "text/plain", Map.of())),
                Map.entry(utf8("non-utf8"), nonUtf8),
                Map.entry(utf8("near-limit"), nearBrokerLimit),
                Map.entry(utf8("many-chunks"), json("many-chunks", sentences(400), "text/plain", Map.of())),
                Map.entry(utf8("good-2"), json("good-2", sentences(4), "text/markdown", Map.of("team", "a"))));
        produce(records);
        KafkaTestSupport.await("all records committed (" + stats + ")", WAIT, () -> stats.recordsCommitted() >= records.size());

        assertThat(indexedDocuments()).containsExactlyInAnyOrder("good-1", "good-2");
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readFromStart(broker.bootstrapServers(), config.deadLetterTopic(), 7, WAIT);
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = dead.stream().collect(Collectors.toMap(
                r -> new String(r.key(), StandardCharsets.UTF_8), r -> r));
        assertThat(byKey).containsOnlyKeys("nested-md", "nested-html", "big-meta", hugeId, "non-utf8", "near-limit", "many-chunks");
        assertThat(reason(byKey.get("nested-md"))).contains("Markdown nests").contains("max-nesting-depth");
        assertThat(reason(byKey.get("nested-html"))).contains("HTML nests");
        assertThat(reason(byKey.get("big-meta"))).contains("40000 bytes").contains("max-metadata-value-bytes");
        assertThat(reason(byKey.get(hugeId))).contains("max-id-bytes");
        assertThat(reason(byKey.get("non-utf8"))).isEqualTo("value is not valid UTF-8");
        assertThat(reason(byKey.get("many-chunks"))).contains("over the limit of 20").contains("max-chunks-per-event");
        // The near-limit record's copy plus our headers would not fit max.request.size: its value was cut, and said so.
        ConsumerRecord<byte[], byte[]> cut = byKey.get("near-limit");
        assertThat(reason(cut)).contains("over the limit of 1000000").contains("max-event-bytes");
        assertThat(KafkaTestSupport.header(cut, KafkaIngestionConsumer.TRUNCATED_HEADER)).isEqualTo(String.valueOf(nearBrokerLimit.length));
        assertThat(cut.value().length).isLessThan(nearBrokerLimit.length).isGreaterThan(1_000_000);
        // Unchanged copies otherwise.
        assertThat(byKey.get("non-utf8").value()).isEqualTo(nonUtf8);

        assertThat(committed()).isEqualTo(endOffsets());
        assertThat(consumer.status().state()).isEqualTo(KafkaIngestionConsumer.State.RUNNING);
        // Still consuming.
        produce(List.of(Map.entry(utf8("good-3"), json("good-3", sentences(2), "text/plain", Map.of()))));
        KafkaTestSupport.await("good-3 indexed", WAIT, () -> indexedDocuments().contains("good-3"));
        assertThat(consumer.isRunning()).isTrue();
        assertThat(consumer.failure()).isEmpty();
    }

    @Test
    void aPermanentStoreErrorIsBisectedToTheOneEventAndOnlyThatOneIsDeadLettered() throws Exception {
        IngestionStats stats = new IngestionStats();
        FaultyChunkStore rejecting = FaultyChunkStore.rejecting(lucene, "rejected");
        start(rejecting, stats);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = i == 6 ? "rejected" : "doc-" + i;
            records.add(Map.entry(utf8(id), json(id, sentences(3), "text/plain", Map.of())));
        }
        produce(records);
        KafkaTestSupport.await("all committed (" + stats + ")", WAIT, () -> stats.recordsCommitted() >= records.size());
        assertThat(indexedDocuments()).hasSize(9).doesNotContain("rejected");
        var dead = KafkaTestSupport.readFromStart(broker.bootstrapServers(), config.deadLetterTopic(), 1, WAIT);
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("rejected");
            assertThat(reason(r)).contains("INVALID_ARGUMENT");
            assertThat(KafkaTestSupport.header(r, KafkaIngestionConsumer.EXCEPTION_HEADER)).isEqualTo(IllegalArgumentException.class.getName());
        });
        assertThat(committed()).isEqualTo(endOffsets());
    }

    @Test
    void anEventThatKeepsFailingAloneWhileTheStoreAnswersIsDeadLetteredAfterBoundedAttempts() throws Exception {
        IngestionStats stats = new IngestionStats();
        config = config.withAttempts(2, 3);
        start(FaultyChunkStore.failingTransientlyFor(lucene, "stuck"), stats);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (String id : List.of("a", "b", "stuck", "c")) records.add(Map.entry(utf8(id), json(id, sentences(2), "text/plain", Map.of())));
        produce(records);
        KafkaTestSupport.await("all committed (" + stats + ")", WAIT, () -> stats.recordsCommitted() >= records.size());
        assertThat(indexedDocuments()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(stats.deadLetterReasons()).singleElement().asString().startsWith("failed alone 3 times").contains("timeout writing default/stuck");
    }

    @Test
    void anOutageStallsWithoutCommittingOrDeadLetteringShowsInTheStatusAndResumesWhenTheStoreIsBack() throws Exception {
        IngestionStats stats = new IngestionStats();
        FaultyChunkStore store = FaultyChunkStore.failingFirstWrites(lucene, 0).down(true);
        config = config.withRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(20));
        KafkaIngestionConsumer consumer = start(store, stats);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) records.add(Map.entry(utf8("d" + i), json("d" + i, sentences(2), "text/plain", Map.of())));
        produce(records);
        KafkaTestSupport.await("retrying", WAIT, () -> consumer.status().state() == KafkaIngestionConsumer.State.RETRYING
                && stats.transientFailures() >= 6);
        assertThat(consumer.status().reason()).contains("store unreachable (simulated outage)");
        assertThat(consumer.status().stalledFor()).isPositive();
        // Polled but not committed: still lag (at least the batch in hand; a partition paused before its first fetch
        // has no known end offset yet, so not always all 6).
        assertThat(consumer.lag()).isPositive();
        assertThat(stats.deadLettered()).isZero();
        assertThat(committed()).isZero();
        // The back-off has grown to seconds by now; the store coming back ends it within a probe interval.
        long back = System.nanoTime();
        store.down(false);
        KafkaTestSupport.await("resumed", WAIT, () -> stats.recordsCommitted() >= records.size());
        assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(5));
        assertThat(indexedDocuments()).hasSize(6);
        assertThat(consumer.status().state()).isEqualTo(KafkaIngestionConsumer.State.RUNNING);
        assertThat(stats.deadLettered()).isZero();
    }

    /** The hashing encoder, slowed down: every encoder call takes {@code millis}. */
    private static final class SlowEncoder implements dev.ragline.core.Encoder {
        private final HashingEncoder delegate = new HashingEncoder(64, 64);
        private final long millis;

        SlowEncoder(long millis) {
            this.millis = millis;
        }

        @Override public String modelId() { return delegate.modelId(); }
        @Override public String modelSha256() { return delegate.modelSha256(); }
        @Override public int dimension() { return delegate.dimension(); }
        @Override public int maxTokens() { return delegate.maxTokens(); }
        @Override public int countTokens(String text) { return delegate.countTokens(text); }
        @Override public float[] embedQuery(String query) { return delegate.embedQuery(query); }

        @Override
        public List<float[]> embedPassages(List<String> passages) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return delegate.embedPassages(passages);
        }
    }

    private KafkaIngestionConsumer startSlow(long millisPerEncoderCall, IngestionStats stats) {
        var slow = new SlowEncoder(millisPerEncoderCall);
        var indexer = new DocumentIndexer(slow, lucene, TokenAwareSplitter.forEncoder(slow, 64, 8), 2, config.limits());
        KafkaIngestionConsumer consumer = new KafkaIngestionConsumer(config, indexer, stats);
        consumers.add(consumer);
        consumer.start();
        return consumer;
    }

    @Test
    void aBatchThatEmbedsForLongerThanMaxPollIntervalKeepsGroupMembership() throws Exception {
        // 3 s poll interval; the batch embeds for about 10 s. Without polling while embedding, the member would be
        // evicted, its commit refused and the batch redone forever.
        config = config.withClientOverrides(Map.of("max.poll.interval.ms", "3000")).withMaxPollRecords(10);
        IngestionStats stats = new IngestionStats();
        startSlow(1000, stats);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) records.add(Map.entry(utf8("slow-" + i), json("slow-" + i, sentences(2), "text/plain", Map.of())));
        produce(records);
        KafkaTestSupport.await("all committed (" + stats + ")", Duration.ofSeconds(90), () -> stats.recordsCommitted() >= records.size());
        assertThat(stats.commitFailures()).isZero();
        assertThat(stats.batchesAbandoned()).isZero();
        assertThat(committed()).isEqualTo(endOffsets());
        assertThat(indexedDocuments()).hasSize(10);
    }

    @Test
    void aRebalanceAbandonsTheBatchInHandAndTheNewOwnerFinishesItWithNothingLostOrDoubled() throws Exception {
        IngestionStats slowStats = new IngestionStats();
        config = config.withMaxPollRecords(40);
        startSlow(400, slowStats);
        List<Map.Entry<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) records.add(Map.entry(utf8("r-" + i), json("r-" + i, sentences(3), "text/plain", Map.of())));
        produce(records);
        Thread.sleep(3000); // the slow member is embedding its first batch now
        IngestionStats fastStats = new IngestionStats();
        start(lucene, fastStats); // joins the group: eager rebalance, the slow member's partitions are revoked
        KafkaTestSupport.await("all documents indexed", Duration.ofSeconds(90), () -> indexedDocuments().size() == 40);
        KafkaTestSupport.await("all committed", WAIT, () -> {
            try {
                return committed() == endOffsets();
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(slowStats.batchesAbandoned()).isPositive();
        assertThat(lucene.count()).isEqualTo(lucene.documentStates(storedIds(indexedDocuments())).values().stream()
                .mapToLong(st -> st.chunksPerVersion().getOrDefault(1L, 0)).sum());
        assertThat(lucene.documentStates(storedIds(indexedDocuments())).values()).allSatisfy(st -> assertThat(st.chunksPerVersion()).containsOnlyKeys(1L));
    }

    private static String reason(ConsumerRecord<byte[], byte[]> r) {
        return KafkaTestSupport.header(r, KafkaIngestionConsumer.REASON_HEADER);
    }
}
