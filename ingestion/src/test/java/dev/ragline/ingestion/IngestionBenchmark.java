package dev.ragline.ingestion;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.InMemoryChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throughput of the ingestion path with the fake encoder and an in-memory store, so that Kafka, parsing,
 * splitting and the consumer's bookkeeping are what is measured (the real encoder dominates end to end; the
 * service module measures that). Prints: broker start time, produce rate, consume+index rate (events/s,
 * chunks/s), and the splitter alone.
 *
 * <pre>./mvnw -B -q -pl ingestion -am verify -DskipTests -Pbenchmark [-Dbenchmark.documents=5000]</pre>
 */
public final class IngestionBenchmark {
    public static void main(String[] args) throws Exception {
        int documents = Integer.getInteger("benchmark.documents", 5000);
        List<DocumentEvent> events = documents(documents, 42);
        long words = events.stream().mapToLong(e -> e.text().split("\\s+").length).sum();
        System.out.printf("corpus: %d Markdown documents, %d words on average%n", documents, words / documents);

        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            System.out.printf("embedded broker ready in %.1f s%n", seconds(System.nanoTime() - t0));
            broker.createTopic("bench", 4);

            t0 = System.nanoTime();
            try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), "bench")) {
                publisher.publishAll(events);
            }
            double produce = seconds(System.nanoTime() - t0);
            System.out.printf("produce (acks=all): %d events in %.2f s = %.0f events/s%n", documents, produce, documents / produce);

            for (int run = 1; run <= 2; run++) {
                HashingEncoder encoder = new HashingEncoder(384, 512);
                ChunkStore store = new InMemoryChunkStore(384);
                DocumentIndexer indexer = new DocumentIndexer(encoder, store, TokenAwareSplitter.forEncoder(encoder, 256, 32));
                IngestionStats stats = new IngestionStats();
                IngestionConfig config = IngestionConfig.defaults(broker.bootstrapServers()).withTopic("bench", null)
                        .withGroupId("bench-" + run).withMaxPollRecords(500);
                t0 = System.nanoTime();
                try (KafkaIngestionConsumer consumer = new KafkaIngestionConsumer(config, indexer, stats)) {
                    consumer.start();
                    KafkaTestSupport.await("all events indexed", Duration.ofMinutes(5), () -> stats.recordsCommitted() >= documents);
                }
                double consume = seconds(System.nanoTime() - t0);
                System.out.printf("run %d consume+index (fake encoder, in-memory store, group join included): %d events, "
                                + "%d chunks in %.2f s = %.0f events/s, %.0f chunks/s; %d batches, mean batch %.0f ms%n",
                        run, stats.recordsCommitted(), stats.chunksWritten(), consume, stats.recordsCommitted() / consume,
                        stats.chunksWritten() / consume, stats.batches(),
                        stats.totalBatchTime().toMillis() / (double) Math.max(1, stats.batches()));
            }
        }

        TokenAwareSplitter splitter = new TokenAwareSplitter(new SubwordTokenCounter(), 256, 32);
        for (int run = 1; run <= 2; run++) {
            t0 = System.nanoTime();
            long chunks = 0;
            for (DocumentEvent e : events) {
                chunks += splitter.split(e.id(), e.version(), e.title(), e.metadata(),
                        ParsedDocument.parse(e.contentType(), e.text())).size();
            }
            double split = seconds(System.nanoTime() - t0);
            System.out.printf("run %d parse+split only (word-piece-like counter, 256 tokens): %.0f documents/s, %.0f chunks/s%n",
                    run, documents / split, chunks / split);
        }
    }

    static List<DocumentEvent> documents(int count, long seed) {
        Random random = new Random(seed);
        String[] words = ("battery charge motor belt pressure display firmware update level assist range service brake "
                + "tire warranty frame app lock sensor speed rider weight winter salt light rack").split(" ");
        List<DocumentEvent> events = new ArrayList<>(count);
        for (int d = 0; d < count; d++) {
            StringBuilder md = new StringBuilder("# Document ").append(d).append("\n\n");
            for (int s = 0; s < 3; s++) {
                md.append("## Part ").append(s).append("\n\n");
                for (int p = 0; p < 2; p++) {
                    for (int t = 0; t < 5; t++) {
                        int n = 8 + random.nextInt(12);
                        for (int w = 0; w < n; w++) md.append(words[random.nextInt(words.length)]).append(w == n - 1 ? ". " : " ");
                    }
                    md.append("\n\n");
                }
            }
            events.add(DocumentEvent.upsert("doc-" + d, "Document " + d, md.toString(), ContentType.MARKDOWN,
                    Map.of("shard", String.valueOf(d % 8)), 1));
        }
        return events;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
