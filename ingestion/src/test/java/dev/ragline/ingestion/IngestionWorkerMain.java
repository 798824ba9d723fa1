package dev.ragline.ingestion;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.HashingEncoder;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An indexer process for the crash tests: consumes a topic into a real store until it is killed (SIGKILL) or
 * stopped (SIGTERM, clean shutdown). Arguments: bootstrap topic group instanceId(or "-") store, where store is
 * {@code lucene:DIR} or {@code qdrant:HOST:PORT:COLLECTION}. Prints {@code READY} once consuming.
 */
public final class IngestionWorkerMain {
    public static final int DIMENSION = 64;

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], topic = args[1], group = args[2], instance = args[3], storeSpec = args[4];
        int maxPoll = Integer.parseInt(System.getProperty("worker.maxPoll", "50"));
        Duration session = Duration.ofMillis(Long.parseLong(System.getProperty("worker.sessionMs", "10000")));
        ChunkStore store = openStore(storeSpec);
        HashingEncoder encoder = new HashingEncoder(DIMENSION, 64);
        IngestionConfig config = IngestionConfig.defaults(bootstrap).withTopic(topic, null).withGroupId(group)
                .withStaticMembership("-".equals(instance) ? null : instance, session)
                .withMaxPollRecords(maxPoll).withRetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        KafkaIngestionConsumer consumer = new KafkaIngestionConsumer(config, indexer(encoder, store), new IngestionStats());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.close();
            store.close();
        }));
        consumer.start();
        System.out.println("READY");
        while (consumer.isRunning()) Thread.sleep(200);
        System.out.println("STOPPED " + consumer.failure().map(Throwable::toString).orElse(""));
    }

    /** The indexer every worker and the tests' expectations use: same encoder, same splitter. */
    public static DocumentIndexer indexer(HashingEncoder encoder, ChunkStore store) {
        return new DocumentIndexer(encoder, store, TokenAwareSplitter.forEncoder(encoder, 64, 8), 16);
    }

    static ChunkStore openStore(String spec) throws InterruptedException {
        String[] parts = spec.split(":");
        if (parts[0].equals("lucene")) return LuceneChunkStore.open(LuceneStoreConfig.defaults(Path.of(parts[1]), DIMENSION));
        QdrantStoreConfig config = QdrantStoreConfig.defaults(parts[1], Integer.parseInt(parts[2]), parts[3], DIMENSION)
                .withTimeout(Duration.ofSeconds(5));
        for (int attempt = 0; ; attempt++) {
            try {
                return QdrantChunkStore.open(config);
            } catch (UncheckedIOException e) {
                if (attempt > 100) throw e;
                Thread.sleep(200); // Qdrant down while we start: wait for it
            }
        }
    }
}
