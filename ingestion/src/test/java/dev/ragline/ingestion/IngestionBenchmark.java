package dev.ragline.ingestion;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Ingestion figures, all against the real broker and the real Lucene index (the fake hashing encoder, so that the
 * store and Kafka are what is measured; the service module's end-to-end benchmark measures the real encoder):
 * <ol>
 * <li>throughput of new documents and of updates, with one store commit per poll batch (now) and with one commit
 * per store call (before: upsert, then delete-other-versions per updated document, each a commit and a refresh),
 * in one run on the same events;</li>
 * <li>time from {@code kill -9} of an indexer process to its first commit after a restart, with static group
 * membership and with dynamic membership (default 45 s session timeout);</li>
 * <li>parse + split alone.</li>
 * </ol>
 *
 * <pre>./mvnw -B -q -pl ingestion -am verify -DskipTests -Pbenchmark [-Dbenchmark.documents=3000] [-Dbenchmark.rounds=2]
 *     [-Dbenchmark.throughput=false] [-Dbenchmark.recovery=false]</pre>
 */
public final class IngestionBenchmark {
    public static void main(String[] args) throws Exception {
        int documents = Integer.getInteger("benchmark.documents", 3000);
        List<DocumentEvent> inserts = documents(documents, 42, 1);
        List<DocumentEvent> updates = documents(documents, 43, 2);
        long words = inserts.stream().mapToLong(e -> e.text().split("\\s+").length).sum();
        System.out.printf("corpus: %d Markdown documents, %d words on average, then an update of each%n", documents, words / documents);

        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            System.out.printf("embedded broker ready in %.1f s%n", seconds(System.nanoTime() - t0));
            broker.createTopic("bench-new", 4);
            broker.createTopic("bench-upd", 4);
            t0 = System.nanoTime();
            try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), "bench-new")) {
                publisher.publishAll(inserts);
            }
            double produce = seconds(System.nanoTime() - t0);
            System.out.printf("produce (acks=all): %d events in %.2f s = %.0f events/s%n", documents, produce, documents / produce);
            try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), "bench-upd")) {
                publisher.publishAll(updates);
            }

            boolean throughput = Boolean.parseBoolean(System.getProperty("benchmark.throughput", "true"));
            int rounds = Integer.getInteger("benchmark.rounds", 2);
            if (throughput) System.out.printf("%n%-34s %12s %12s %14s%n", "Lucene, 64 records per poll", "new docs/s", "updates/s", "commits/batch");
            for (int round = 0; throughput && round < 2 * rounds; round++) {
                boolean perBatch = round % 2 == 1;
                double[] rates = new double[2];
                long[] commits = new long[1];
                for (int phase = 0; phase < 2; phase++) {
                    Path dir = Files.createTempDirectory("ragline-bench-");
                    try (LuceneChunkStore lucene = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, 384))) {
                        CountingStore store = new CountingStore(lucene, !perBatch);
                        HashingEncoder encoder = new HashingEncoder(384, 512);
                        DocumentIndexer indexer = new DocumentIndexer(encoder, store, TokenAwareSplitter.forEncoder(encoder, 256, 32));
                        String topic = phase == 0 ? "bench-new" : "bench-upd";
                        int records = documents;
                        IngestionStats stats = new IngestionStats();
                        IngestionConfig config = IngestionConfig.defaults(broker.bootstrapServers()).withTopic(topic, null)
                                .withGroupId("bench-" + System.nanoTime()).withMaxPollRecords(64);
                        if (phase == 1) { // updates: the first versions are indexed before timing
                            for (int from = 0; from < documents; from += 500)
                                indexer.apply(inserts.subList(from, Math.min(documents, from + 500)).stream().map(indexer::prepare).toList());
                        }
                        long base = store.commits;
                        t0 = System.nanoTime();
                        try (KafkaIngestionConsumer consumer = new KafkaIngestionConsumer(config, indexer, stats)) {
                            consumer.start();
                            KafkaTestSupport.await("all events", Duration.ofMinutes(20), () -> stats.recordsCommitted() >= records);
                        }
                        rates[phase] = documents / seconds(System.nanoTime() - t0);
                        commits[0] = (store.commits - base) / Math.max(1, stats.batches());
                    }
                    deleteRecursively(dir);
                }
                System.out.printf("%-34s %12.0f %12.0f %14d%n", perBatch ? "one commit per batch (now)" : "one commit per call (before)",
                        rates[0], rates[1], commits[0]);
            }

            if (Boolean.parseBoolean(System.getProperty("benchmark.recovery", "true"))) recovery(broker, admin);
        }

        TokenAwareSplitter splitter = new TokenAwareSplitter(new SubwordTokenCounter(), 256, 32);
        t0 = System.nanoTime();
        long chunks = 0;
        for (DocumentEvent e : inserts) {
            chunks += splitter.split(e.id(), e.version(), e.title(), e.metadata(), ParsedDocument.parse(e.contentType(), e.text())).size();
        }
        double split = seconds(System.nanoTime() - t0);
        System.out.printf("%nparse+split only (word-piece-like counter, 256 tokens): %.0f documents/s, %.0f chunks/s%n",
                documents / split, chunks / split);
    }

    /** kill -9 of a forked indexer, restart, first commit: with static and with dynamic membership. */
    private static void recovery(EmbeddedKafkaBroker broker, Admin admin) throws Exception {
        System.out.printf("%n%-46s %s%n", "kill -9 → first commit after restart", "seconds (JVM start included)");
        for (boolean staticMember : new boolean[] {true, false}) {
            String topic = "bench-kill-" + (staticMember ? "static" : "dynamic");
            broker.createTopic(topic, 4);
            List<DocumentEvent> events = CrashHarness.workload(7, 4000, 0);
            try (SamplePublisher publisher = new SamplePublisher(broker.bootstrapServers(), topic)) {
                publisher.publishAll(events);
            }
            Path dir = Files.createTempDirectory("ragline-bench-kill-");
            Path log = dir.resolve("worker.log");
            String store = "lucene:" + dir.resolve("index");
            String instance = staticMember ? "bench-indexer" : "-";
            String session = "-Dworker.sessionMs=45000";
            Process worker = CrashHarness.startWorker(log, broker.bootstrapServers(), topic, topic, instance, store, "-Dworker.maxPoll=20", session);
            CrashHarness.awaitCommitAbove(admin, topic, 0, Duration.ofSeconds(60));
            Thread.sleep(1000);
            CrashHarness.kill9(worker);
            long killedAt = System.nanoTime();
            long committed = CrashHarness.committed(admin, topic);
            worker = CrashHarness.startWorker(log, broker.bootstrapServers(), topic, topic, instance, store, "-Dworker.maxPoll=20", session);
            Duration resumed = CrashHarness.awaitCommitAbove(admin, topic, committed, Duration.ofSeconds(120));
            CrashHarness.kill9(worker);
            System.out.printf("%-46s %s%n", staticMember ? "static membership (group.instance.id)" : "dynamic membership, session timeout 45 s",
                    resumed == null ? "> 120" : String.format("%.1f", seconds(System.nanoTime() - killedAt)));
            deleteRecursively(dir);
        }
    }

    /** Counts commits; in "before" mode writes each document with the old per-call methods (a commit each). */
    static final class CountingStore implements ChunkStore {
        private final ChunkStore delegate;
        private final boolean perCall;
        long commits;

        CountingStore(ChunkStore delegate, boolean perCall) {
            this.delegate = delegate;
            this.perCall = perCall;
        }

        @Override
        public void write(List<DocumentWrite> writes) {
            if (!perCall) {
                delegate.write(writes);
                commits++;
                return;
            }
            // The previous code: one upsert of the batch's chunks, then one delete per replaced document, each committed.
            List<StoredChunk> chunks = new ArrayList<>();
            for (DocumentWrite w : writes) if (w instanceof DocumentWrite.Replace r) chunks.addAll(r.chunks());
            if (!chunks.isEmpty()) {
                delegate.upsert(chunks);
                commits++;
            }
            Map<String, DocumentState> states = delegate.documentStates(writes.stream().map(DocumentWrite::documentId).toList());
            for (DocumentWrite w : writes) {
                if (w instanceof DocumentWrite.Replace r) {
                    if (states.get(r.documentId()).liveVersion().isEmpty()) continue; // a new document: nothing to delete
                    delegate.deleteOtherVersions(r.documentId(), r.version());
                } else {
                    delegate.deleteDocument(w.documentId());
                }
                commits++;
            }
        }

        @Override public Map<String, DocumentState> documentStates(Collection<String> ids) { return delegate.documentStates(ids); }
        @Override public void upsert(List<StoredChunk> chunks) { delegate.upsert(chunks); }
        @Override public void deleteDocument(String documentId) { delegate.deleteDocument(documentId); }
        @Override public void deleteOtherVersions(String documentId, long keepVersion) { delegate.deleteOtherVersions(documentId, keepVersion); }
        @Override public OptionalLong documentVersion(String documentId) { return delegate.documentVersion(documentId); }
        @Override public List<SearchHit> search(float[] q, int k, MetadataFilter f) { return delegate.search(q, k, f); }
        @Override public long count() { return delegate.count(); }
        @Override public int dimension() { return delegate.dimension(); }
        @Override public void close() { delegate.close(); }
    }

    static List<DocumentEvent> documents(int count, long seed, long version) {
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
                    Map.of("shard", String.valueOf(d % 8)), version));
        }
        return events;
    }

    private static void deleteRecursively(Path path) throws java.io.IOException {
        if (!Files.exists(path)) return;
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
