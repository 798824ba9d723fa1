package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.InMemoryChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.Tenant;
import dev.ragline.core.SearchHit;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer, indexer and dead-letter path against a real Kafka broker running in this JVM. */
class KafkaIngestionConsumerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    private final HashingEncoder encoder = new HashingEncoder(64, 64);
    private final InMemoryChunkStore store = new InMemoryChunkStore(64);
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
    void createTopics() {
        topic = "documents-" + TOPICS.incrementAndGet();
        broker.createTopic(topic, 2);
        broker.createTopic(topic + ".dlq", 1);
        config = IngestionConfig.defaults(broker.bootstrapServers()).withTopic(topic, null).withGroupId("group-" + topic)
                .withMaxPollRecords(50).withRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(400));
    }

    @AfterEach
    void stopConsumers() {
        consumers.forEach(KafkaIngestionConsumer::close);
    }

    private DocumentIndexer indexer(ChunkStore chunkStore) {
        return new DocumentIndexer(encoder, chunkStore, TokenAwareSplitter.forEncoder(encoder, 64, 8), 8);
    }

    private KafkaIngestionConsumer start(ChunkStore chunkStore, IngestionStats stats) {
        KafkaIngestionConsumer consumer = new KafkaIngestionConsumer(config, indexer(chunkStore), stats);
        consumers.add(consumer);
        consumer.start();
        return consumer;
    }

    private void publish(List<DocumentEvent> events) {
        try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
            publisher.publishAll(events);
        }
    }

    private static DocumentEvent doc(String id, long version, int sentences, String topicWord) {
        return DocumentIndexerTest.doc(id, version, DocumentIndexerTest.sentences(topicWord, sentences));
    }

    /** Chunks the events' final versions should leave in the store, computed by the same splitter. */
    private long expectedChunks(List<DocumentEvent> finalVersions) {
        DocumentIndexer reference = indexer(new InMemoryChunkStore(64));
        return finalVersions.stream().mapToLong(e -> reference.prepare(e).chunks().size()).sum();
    }

    private List<SearchHit> chunksOf(String id) {
        return Tenant.DEFAULT.search(store, SearchQuery.dense(encoder.embedQuery("x"), 100_000, MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, id)));
    }

    private Set<String> documentIds() {
        return Tenant.DEFAULT.search(store, SearchQuery.dense(encoder.embedQuery("x"), 100_000, MetadataFilter.NONE)).stream()
                .map(h -> h.chunk().documentId()).collect(Collectors.toSet());
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets() throws Exception {
        return admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get();
    }

    private long endOffsetSum() throws Exception {
        var request = Map.of(new TopicPartition(topic, 0), OffsetSpec.latest(), new TopicPartition(topic, 1), OffsetSpec.latest());
        return admin.listOffsets(request).all().get().values().stream().mapToLong(r -> r.offset()).sum();
    }

    private static void awaitRecords(IngestionStats stats, long records) {
        KafkaTestSupport.await(records + " records committed (" + stats + ")", WAIT, () -> stats.recordsCommitted() >= records);
    }

    @Test
    void theSampleCorpusBecomesSearchableAndOffsetsAreCommitted() throws Exception {
        List<DocumentEvent> corpus = SamplePublisher.sampleCorpus();
        assertThat(corpus).hasSizeBetween(15, 30);
        IngestionStats stats = new IngestionStats();
        KafkaIngestionConsumer consumer = start(store, stats);
        try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
            assertThat(publisher.publishSampleCorpus()).isEqualTo(corpus.size());
        }
        awaitRecords(stats, corpus.size());

        assertThat(documentIds()).isEqualTo(corpus.stream().map(DocumentEvent::id).collect(Collectors.toSet()));
        assertThat(store.count()).isEqualTo(expectedChunks(corpus)).isEqualTo(stats.chunksWritten());
        SearchHit top = Tenant.DEFAULT.search(store, SearchQuery.dense(encoder.embedQuery(
                "With the standard 4 A charger a full charge from empty takes about 4.5 hours"), 1, MetadataFilter.NONE)).getFirst();
        assertThat(top.chunk().documentId()).isEqualTo("battery-and-charging.md");
        assertThat(top.chunk().heading()).isEqualTo("Battery and charging > Charging times");
        assertThat(top.chunk().metadata()).containsEntry("source", "sample-corpus");
        // HTML: title from <title>, headings as sections, navigation and scripts gone.
        assertThat(chunksOf("error-codes.html")).extracting(h -> h.chunk().title()).containsOnly("Display error codes");
        assertThat(chunksOf("error-codes.html")).anySatisfy(h -> {
            assertThat(h.chunk().heading()).isEqualTo("Display error codes > Motor codes");
            assertThat(h.chunk().text()).contains("E05: torque sensor fault.");
        }).allSatisfy(h -> assertThat(h.chunk().text()).doesNotContain("analytics", "Shop"));

        assertThat(committedOffsets().values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(endOffsetSum());
        KafkaTestSupport.await("lag 0", WAIT, () -> consumer.lag() == 0);
        consumer.close();
        assertThat(consumer.isRunning()).isFalse();
        assertThat(consumer.failure()).isEmpty();
    }

    @Test
    void theSampleCorpusCarriesIntentTagsAndItsRemovalLeavesTheUsersDocuments() {
        List<DocumentEvent> corpus = SamplePublisher.sampleCorpus();
        assertThat(corpus).allSatisfy(e -> assertThat(e.metadata()).containsEntry("source", "sample-corpus"));
        assertThat(corpus).filteredOn(e -> e.id().equals("brakes.txt")).singleElement()
                .satisfies(e -> assertThat(e.metadata()).containsEntry("intent", "replace_brake_pads"));
        assertThat(SamplePublisher.sampleCorpusIds()).isEqualTo(corpus.stream().map(DocumentEvent::id).toList());

        IngestionStats stats = new IngestionStats();
        start(store, stats);
        DocumentEvent mine = doc("my-own-manual.md", 1, 6, "pedals");
        try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
            publisher.publishSampleCorpus();
            publisher.publish(mine);
        }
        awaitRecords(stats, corpus.size() + 1);
        assertThat(chunksOf("app-pairing.md")).isNotEmpty()
                .allSatisfy(h -> assertThat(h.chunk().metadata()).containsEntry("intent", "pair_app").containsEntry("source", "sample-corpus"));
        assertThat(Tenant.DEFAULT.search(store, SearchQuery.dense(encoder.embedQuery("pair the app"), 10, MetadataFilter.equalTo("intent", "pair_app"))))
                .isNotEmpty().allSatisfy(h -> assertThat(h.chunk().documentId()).isEqualTo("app-pairing.md"));

        try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
            assertThat(publisher.removeSampleCorpus()).isEqualTo(corpus.size());
        }
        awaitRecords(stats, 2L * corpus.size() + 1);
        assertThat(documentIds()).containsExactly("my-own-manual.md");
        assertThat(store.count()).isEqualTo(expectedChunks(List.of(mine)));
        assertThat(stats.documentsDeleted()).isEqualTo(corpus.size());
    }

    @Test
    void anUpdateReplacesTheOldChunksAndATombstoneDeletes() {
        IngestionStats stats = new IngestionStats();
        start(store, stats);
        publish(List.of(doc("a", 1, 30, "battery"), doc("b", 1, 10, "brakes")));
        awaitRecords(stats, 2);
        long aV1 = chunksOf("a").size();
        assertThat(chunksOf("b")).isNotEmpty();

        DocumentEvent aV2 = doc("a", 2, 5, "motor");
        publish(List.of(aV2, DocumentEvent.delete("b"), doc("a", 1, 30, "battery"))); // the last one is a stale replay
        awaitRecords(stats, 5);
        assertThat(chunksOf("a")).hasSize((int) expectedChunks(List.of(aV2))).hasSizeLessThan((int) aV1)
                .allSatisfy(hit -> assertThat(hit.chunk().version()).isEqualTo(2))
                .allSatisfy(hit -> assertThat(hit.chunk().text()).contains("motor").doesNotContain("battery"));
        assertThat(chunksOf("b")).isEmpty();
        assertThat(stats.documentsDeleted()).isEqualTo(1);
        assertThat(stats.documentsSkipped()).isEqualTo(1);
    }

    @Test
    void theSameEventsDeliveredTwiceLeaveNoDuplicates() {
        List<DocumentEvent> events = List.of(doc("a", 1, 20, "battery"), doc("b", 3, 12, "brakes"), doc("c", 1, 2, "charger"));
        IngestionStats stats = new IngestionStats();
        start(store, stats);
        publish(events);
        awaitRecords(stats, 3);
        long once = store.count();
        publish(events);
        awaitRecords(stats, 6);
        assertThat(store.count()).isEqualTo(once).isEqualTo(expectedChunks(events));

        // A replay by a new consumer group from the start of the topic changes nothing either.
        config = config.withGroupId(config.groupId() + "-replay");
        IngestionStats replay = new IngestionStats();
        start(store, replay);
        awaitRecords(replay, 6);
        assertThat(store.count()).isEqualTo(once);
    }

    @Test
    void aTombstoneWithoutVersionDeliveredAgainDoesNotDeleteWhatFollowedIt() {
        DocumentEvent recreated = doc("a", 2, 6, "motor");
        IngestionStats stats = new IngestionStats();
        start(store, stats);
        publish(List.of(doc("a", 1, 6, "battery"), DocumentEvent.delete("a"), recreated));
        awaitRecords(stats, 3);
        assertThat(chunksOf("a")).hasSize((int) expectedChunks(List.of(recreated)))
                .allSatisfy(hit -> assertThat(hit.chunk().version()).isEqualTo(2));

        // Delivered again (as after a crash before the commit): the tombstone would resolve to the stored v2 and
        // delete it; the recorded position of its partition shows it was written already.
        config = config.withGroupId(config.groupId() + "-again");
        IngestionStats again = new IngestionStats();
        start(store, again);
        awaitRecords(again, 3);
        assertThat(chunksOf("a")).hasSize((int) expectedChunks(List.of(recreated)))
                .allSatisfy(hit -> assertThat(hit.chunk().version()).isEqualTo(2));
        assertThat(again.documentsDeleted()).isZero();
        assertThat(again.documentsSkipped()).isEqualTo(2); // v1 (older than v2) and the tombstone
    }

    @Test
    void aMalformedEventGoesToTheDeadLetterTopicAndTheConsumerKeepsGoing() {
        IngestionStats stats = new IngestionStats();
        KafkaIngestionConsumer consumer = start(store, stats);
        DocumentEvent good1 = doc("good-1", 1, 3, "battery"), good2 = doc("good-2", 1, 3, "brakes");
        KafkaTestSupport.produce(broker.bootstrapServers(), topic, List.of(
                Map.entry("good-1", new String(good1.toValue(), StandardCharsets.UTF_8)),
                Map.entry("bad-json", "{not json"),
                Map.entry("bad-type", "{\"text\":\"x\",\"contentType\":\"application/pdf\",\"version\":1}"),
                Map.entry("good-2", new String(good2.toValue(), StandardCharsets.UTF_8))));
        awaitRecords(stats, 4);
        assertThat(documentIds()).containsExactlyInAnyOrder("good-1", "good-2");
        assertThat(stats.deadLettered()).isEqualTo(2);

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readFromStart(broker.bootstrapServers(), config.deadLetterTopic(), 2, WAIT);
        assertThat(dead).hasSize(2);
        ConsumerRecord<byte[], byte[]> badJson = dead.stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("bad-json")).findFirst().orElseThrow();
        assertThat(new String(badJson.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(KafkaTestSupport.header(badJson, KafkaIngestionConsumer.REASON_HEADER)).startsWith("value is not valid JSON");
        assertThat(KafkaTestSupport.header(badJson, KafkaIngestionConsumer.EXCEPTION_HEADER)).isEqualTo(InvalidEventException.class.getName());
        assertThat(KafkaTestSupport.header(badJson, KafkaIngestionConsumer.TOPIC_HEADER)).isEqualTo(topic);
        assertThat(KafkaTestSupport.header(badJson, KafkaIngestionConsumer.PARTITION_HEADER)).matches("[01]");
        assertThat(KafkaTestSupport.header(badJson, KafkaIngestionConsumer.OFFSET_HEADER)).matches("\\d+");
        assertThat(dead).anySatisfy(r -> assertThat(KafkaTestSupport.header(r, KafkaIngestionConsumer.REASON_HEADER))
                .contains("unknown content type 'application/pdf'"));

        // Still consuming after the bad records.
        publish(List.of(doc("good-3", 1, 2, "motor")));
        awaitRecords(stats, 5);
        assertThat(documentIds()).contains("good-3");
        assertThat(consumer.failure()).isEmpty();
    }

    @Test
    void aTransientStoreFailureIsRetriedWithoutSkippingAnything() throws Exception {
        List<DocumentEvent> events = List.of(doc("a", 1, 8, "battery"), doc("b", 1, 8, "brakes"), doc("c", 1, 8, "charger"));
        publish(events);
        FaultyChunkStore flaky = FaultyChunkStore.failingFirstWrites(store, 3);
        IngestionStats stats = new IngestionStats();
        KafkaIngestionConsumer consumer = start(flaky, stats);
        awaitRecords(stats, events.size());
        // Two back-offs; the third failure happens while the store answers, so the batch is bisected and written.
        assertThat(stats.transientFailures()).isBetween(2L, 3L);
        assertThat(stats.deadLettered()).isZero();
        assertThat(flaky.writeCalls()).isGreaterThan(3);
        assertThat(store.count()).isEqualTo(expectedChunks(events));
        assertThat(stats.documentsIndexed()).isEqualTo(3);
        assertThat(committedOffsets().values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(endOffsetSum());
        assertThat(consumer.failure()).isEmpty();
    }
}
