package dev.ragline.app.wiring;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.embedding.Device;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxCrossEncoder;
import dev.ragline.embedding.DistilledQueryEncoder;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.ingestion.DocumentIndexer;
import dev.ragline.ingestion.EmbeddedKafkaBroker;
import dev.ragline.ingestion.IngestionConfig;
import dev.ragline.ingestion.IngestionLimits;
import dev.ragline.ingestion.KafkaIngestionConsumer;
import dev.ragline.ingestion.SamplePublisher;
import dev.ragline.ingestion.TokenAwareSplitter;
import dev.ragline.core.SearchMode;
import dev.ragline.retrieval.HybridConfig;
import dev.ragline.retrieval.Reranker;
import dev.ragline.retrieval.lucene.KeywordAnalyzer;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import dev.ragline.app.security.AccessControl;
import dev.ragline.core.Tenant;
import org.jboss.logging.Logger;

/**
 * Builds the pipeline at start-up in data-flow order (encoder, store, broker, consumer) and closes it in
 * reverse at shutdown, so the consumer never writes into a closed store. The pieces are plain Java objects
 * from the pipeline modules; this class is the only place that knows how they fit together.
 */
@Startup
@Singleton
public class Platform {
    private static final Logger LOG = Logger.getLogger(Platform.class);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final OnnxEncoder encoder;
    /** What search and ask encode queries with: {@link #encoder}, or with a distilled query encoder beside it. */
    private final Encoder searchEncoder;
    private final ChunkStore store;
    private final EmbeddedKafkaBroker broker;
    private final KafkaIngestionConsumer consumer;
    private final String bootstrapServers;
    private final RaglineConfig config;
    private final IngestionLimits limits;
    private final DocumentIndexer validator;
    private final PlatformMetrics metrics;
    private final Reranking reranking;
    private SamplePublisher publisher;

    public Platform(RaglineConfig config, MeterRegistry registry, AccessControl access) {
        this.config = config;
        try {
            encoder = remember(openEncoder(config.encoder()));
            metrics = new PlatformMetrics(registry);
            encoder.addBatchListener(metrics::encoderBatch);
            searchEncoder = config.encoder().queryModel().isEmpty() ? encoder
                    : DistilledQueryEncoder.split(encoder, remember(openQueryEncoder(config.encoder(), encoder)));
            store = remember(openStore(config, encoder.dimension()));
            metrics.bindStore(store);
            reranking = new Reranking(openReranker(config.retrieval().rerank()));

            var kafka = config.kafka();
            broker = kafka.bootstrapServers().isPresent() ? null
                    : remember(EmbeddedKafkaBroker.start(config.dataDir().resolve("kafka"), kafka.embeddedPort()));
            bootstrapServers = broker != null ? broker.bootstrapServers() : kafka.bootstrapServers().get();
            if (broker != null) {
                broker.createTopic(kafka.topic(), 3);
                broker.createTopic(kafka.deadLetterTopic(), 1);
                LOG.infof("embedded Kafka broker listening on %s (data in %s)", bootstrapServers, broker.dataDir());
            }

            var in = config.ingestion();
            limits = new IngestionLimits(in.maxEventBytes(), in.maxIdBytes(), in.maxMetadataEntries(),
                    in.maxMetadataKeyBytes(), in.maxMetadataValueBytes(), in.maxNestingDepth(), in.maxChunksPerEvent());
            var splitter = TokenAwareSplitter.forEncoder(encoder, config.chunking().maxTokens(),
                    config.chunking().overlapTokens());
            // The HTTP publisher runs the consumer's own checks (decode, limits, parse, split) before publishing.
            validator = new DocumentIndexer(encoder, store, splitter, DocumentIndexer.DEFAULT_EMBED_BATCH_SIZE, limits);
            checkMultiInstanceMode(config);
            if (kafka.consume()) {
                var ingestion = IngestionConfig.defaults(bootstrapServers)
                        .withTopic(kafka.topic(), kafka.deadLetterTopic())
                        .withGroupId(kafka.groupId())
                        .withStaticMembership(kafka.groupInstanceId().orElse(null), kafka.sessionTimeout())
                        .withMaxPollRecords(kafka.maxPollRecords())
                        .withMaxBatchTokens(kafka.maxBatchTokens())
                        .withRetryBackoff(kafka.retryInitialBackoff(), kafka.retryMaxBackoff())
                        .withAttempts(in.bisectAfterAttempts(), in.maxEventAttempts())
                        .withLimits(limits, kafka.maxRequestBytes())
                        .withClientOverrides(kafka.properties())
                        // Open development mode: records without a tenant header belong to the default tenant;
                        // otherwise they are dead-lettered. Decided at start-up.
                        .withDefaultTenant(access.openMode() ? Tenant.DEFAULT : null);
                consumer = remember(new KafkaIngestionConsumer(ingestion, validator, metrics));
                metrics.bindConsumer(consumer);
                consumer.start();
                LOG.infof("consuming documents from topic %s (dead letters to %s) as group %s%s",
                        kafka.topic(), kafka.deadLetterTopic(), kafka.groupId(),
                        kafka.groupInstanceId().map(i -> ", static member " + i).orElse(""));
            } else {
                consumer = null;
            }
            publishSampleCorpusIfAsked();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static EncoderConfig encoderConfig(RaglineConfig.Encoder c) {
        return EncoderConfig.of(c.model())
                .withDevice(Device.valueOf(c.device().toUpperCase(Locale.ROOT)))
                .withIntraOpThreads(c.intraOpThreads())
                .withBatchSize(c.batchSize())
                .withQueryInstruction(c.queryInstruction());
    }

    static OnnxEncoder openEncoder(RaglineConfig.Encoder c) {
        OnnxEncoder encoder = Encoders.open(encoderConfig(c));
        LOG.infof("encoder %s (%d dimensions, max %d tokens) on %s", encoder.modelId(), encoder.dimension(),
                encoder.maxTokens(), encoder.executionProvider());
        return encoder;
    }

    static OnnxEncoder openQueryEncoder(RaglineConfig.Encoder c, OnnxEncoder passages) {
        Path directory = c.queryModel().orElseThrow();
        // Device and threads as the passage encoder; model, pooling and instruction come from the query encoder's folder.
        OnnxEncoder queries = DistilledQueryEncoder.open(directory, passages, encoderConfig(c));
        LOG.infof("query encoder %s, distilled from %s: queries are encoded with it", directory, passages.modelId());
        return queries;
    }

    private Reranker openReranker(RaglineConfig.Retrieval.Rerank c) {
        if (c.model().isEmpty()) return null;
        Path model = c.model().get();
        Path tokenizer = c.tokenizer().orElse(model.resolveSibling("tokenizer.json"));
        OnnxCrossEncoder crossEncoder = remember(OnnxCrossEncoder.open(model, tokenizer, 512, 0));
        LOG.infof("reranking stage: cross-encoder %s, %d candidates per request when asked", model, c.candidates());
        return new Reranker(crossEncoder, c.candidates());
    }

    static ChunkStore openStore(RaglineConfig config, int dimension) {
        var s = config.store();
        SearchMode.parse(s.search().mode()); // a bad default fails at start, not on the first request
        var hybrid = new HybridConfig(s.search().candidatesPerLeg(), s.search().rrfK());
        return switch (s.type().toLowerCase(Locale.ROOT)) {
            case "lucene" -> {
                var dir = s.lucene().path().orElse(config.dataDir().resolve("lucene"));
                LOG.infof("embedded Lucene store in %s", dir.toAbsolutePath());
                yield LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, dimension)
                        .withAnalyzer(KeywordAnalyzer.valueOf(s.lucene().analyzer().toUpperCase(Locale.ROOT)))
                        .withHybrid(hybrid));
            }
            case "qdrant" -> {
                var q = s.qdrant();
                LOG.infof("Qdrant store at %s:%d, collection %s", q.host(), q.grpcPort(), q.collection());
                // Starts while Qdrant is unreachable (health DOWN, ingestion retrying) and connects when it is back.
                yield DeferredStore.open("Qdrant at " + q.host() + ":" + q.grpcPort(), dimension,
                        () -> QdrantChunkStore.open(QdrantStoreConfig.defaults(q.host(), q.grpcPort(), q.collection(), dimension)
                                .withCredentials(q.apiKey().orElse(null), q.useTls())
                                .withHybrid(hybrid).withBm25AvgLen(q.bm25AvgLen())), Duration.ofSeconds(1));
            }
            default -> throw new IllegalArgumentException(
                    "ragline.store.type must be 'lucene' or 'qdrant', got '" + s.type() + "'");
        };
    }

    /**
     * The embedded Lucene index holds what this instance consumed, nothing else: a search-only replica would
     * serve an empty index, and several consuming instances would each serve a part. Refused at start-up;
     * scale out with Qdrant.
     */
    private void checkMultiInstanceMode(RaglineConfig config) {
        if (!config.store().type().equalsIgnoreCase("lucene")) return;
        var kafka = config.kafka();
        if (!kafka.consume())
            throw new IllegalStateException("ragline.kafka.consume=false with the embedded Lucene store would serve an "
                    + "empty local index: a search-only replica needs a shared store (ragline.store.type=qdrant)");
        if (broker != null) return; // an embedded broker has no other members
        Map<String, Object> props = new HashMap<>(kafka.properties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin admin = Admin.create(props)) {
            var group = admin.describeConsumerGroups(List.of(kafka.groupId())).all().get(10, TimeUnit.SECONDS).get(kafka.groupId());
            var others = group.members().stream()
                    .filter(m -> kafka.groupInstanceId().isEmpty() || !m.groupInstanceId().equals(kafka.groupInstanceId()))
                    .map(m -> m.groupInstanceId().orElse(m.consumerId()) + "@" + m.host()).toList();
            if (others.isEmpty()) return;
            String message = "consumer group " + kafka.groupId() + " already has members " + others
                    + "; with the embedded Lucene store each instance would index and serve only its own partitions";
            if (kafka.groupInstanceId().isPresent()) throw new IllegalStateException(message + ". Use ragline.store.type=qdrant to scale out");
            // Dynamic membership: after a crash our own old member lingers until its session times out.
            LOG.warn(message + " (or it is this instance's previous member, before its session timeout)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warnf("could not check consumer group %s for other members: %s", kafka.groupId(), e.toString());
        }
    }

    private void publishSampleCorpusIfAsked() {
        String mode = config.sampleCorpus().publish().toLowerCase(Locale.ROOT);
        boolean publish = switch (mode) {
            case "true" -> true;
            case "false", "remove" -> false;
            case "auto" -> broker != null && store.count() == 0;
            default -> throw new IllegalArgumentException(
                    "ragline.sample-corpus.publish must be auto, true, false or remove, got '" + mode + "'");
        };
        if (mode.equals("remove")) {
            // tombstones for every sample-corpus id: the consumer deletes them like any other delete
            try (var publisher = new SamplePublisher(bootstrapServers, config.kafka().topic())) {
                int n = publisher.removeSampleCorpus();
                LOG.infof("removing the sample corpus: published %d tombstones to %s", n, config.kafka().topic());
            }
            return;
        }
        if (!publish) return;
        try (var publisher = new SamplePublisher(bootstrapServers, config.kafka().topic(), publisherProperties())) {
            int n = publisher.publishSampleCorpus();
            LOG.infof("published the sample corpus (%d documents) to %s", n, config.kafka().topic());
        }
    }

    private <T extends AutoCloseable> T remember(T resource) {
        toClose.push(resource);
        return resource;
    }

    @PreDestroy
    synchronized void close() {
        while (!toClose.isEmpty()) {
            AutoCloseable resource = toClose.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing %s failed", resource);
            }
        }
    }

    @Produces
    @Singleton
    Encoder encoder() {
        return searchEncoder;
    }

    @Produces
    @Singleton
    ChunkStore store() {
        return store;
    }

    @Produces
    @Singleton
    Reranking reranking() {
        return reranking;
    }

    public OnnxEncoder onnxEncoder() {
        return encoder;
    }

    public Optional<KafkaIngestionConsumer> consumer() {
        return Optional.ofNullable(consumer);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A producer to the document topic, for documents posted over HTTP; created on first use. */
    public synchronized SamplePublisher publisher() {
        if (publisher == null) publisher = remember(new SamplePublisher(bootstrapServers, config.kafka().topic(), publisherProperties()));
        return publisher;
    }

    private Map<String, String> publisherProperties() {
        Map<String, String> p = new HashMap<>();
        p.put("max.request.size", String.valueOf(config.kafka().maxRequestBytes()));
        p.putAll(config.kafka().properties());
        return p;
    }

    /** The consumer's own decode-check-parse-split step, for documents posted over HTTP. */
    public DocumentIndexer validator() {
        return validator;
    }

    public IngestionLimits limits() {
        return limits;
    }

    PlatformMetrics metrics() {
        return metrics;
    }
}
