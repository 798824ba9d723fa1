package dev.ragline.retrieval.bench;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.embedding.BatchingQueryEncoder;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.embedding.Pooling;
import dev.ragline.retrieval.ClusteredVectors;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Search latency per mode, query embedding included: a synthetic corpus of {@code --chunks} chunks (texts drawn from
 * a Zipf-distributed vocabulary of 20,000 words with a part number each; clustered random unit vectors, since
 * encoding 100k passages would take hours on this CPU), then {@code --queries} searches per (mode, clients) cell,
 * each one {@code encoder.embedQuery(text)} (the real ONNX encoder; skipped in keyword mode, which needs no vector)
 * plus {@code store.search(SearchQuery)}; p50/p99 latency and throughput per cell; with {@code --batching on} the
 * concurrent query encodings go through {@link BatchingQueryEncoder}. Query embeddings are never cached: every
 * search encodes its query. Usage:
 * <pre>./mvnw -B -q -pl retrieval -am verify -DskipTests -Pbench-search -Dbench.args="--chunks 100000 --clients 1,16 --store lucene,qdrant --encoders bge-small-en-v1.5:0:1,bge-small-en-v1.5-q:1:2"</pre>
 * Options: --chunks N, --queries N, --clients 1,16, --modes dense,keyword,hybrid, --batching off,on,gate2,query2
 * (gateN: at most N query encodings at a time, the others waiting in arrival order; queryN: the same for whole
 * searches, encoding and store search, as the service's ragline.search.max-concurrent),
 * --encoders MODEL:THREADS:SESSIONS,... (ONNX intra-op threads per session, 0 = runtime default; sessions used in
 * turn; MODEL may be a distilled query encoder's folder), or --model ID --threads N for one session, --store
 * lucene,qdrant (a real Qdrant server from the test binary). Keyword rows need no encoder and are measured once per
 * store.
 */
public final class SearchLatencyBenchmark {

    /** One query-encoding setup: model, ONNX intra-op threads per session (0 = runtime default), sessions. */
    record EncoderSpec(String model, int threads, int sessions) {
        static EncoderSpec parse(String spec) {
            String[] p = spec.split(":");
            return new EncoderSpec(p[0], p.length > 1 ? Integer.parseInt(p[1]) : 0, p.length > 2 ? Integer.parseInt(p[2]) : 1);
        }
    }

    /** Several ONNX sessions of one model behind one {@link Encoder}: each query goes to the next session in turn. */
    static final class SessionPool implements Encoder, AutoCloseable {
        private final List<OnnxEncoder> sessions;
        private final AtomicInteger next = new AtomicInteger();

        SessionPool(EncoderSpec spec) {
            List<OnnxEncoder> opened = new ArrayList<>();
            // A directory is a distilled query encoder (CLS pooling, no instruction); vectors here are synthetic, so
            // its passage model is not needed to check that the two match.
            EncoderConfig config = Files.isDirectory(Path.of(spec.model()))
                    ? EncoderConfig.of(spec.model()).withPooling(Pooling.CLS).withQueryInstruction(false)
                    : EncoderConfig.of(spec.model());
            for (int i = 0; i < spec.sessions(); i++)
                opened.add(Encoders.open(config.withIntraOpThreads(spec.threads())));
            sessions = List.copyOf(opened);
        }

        private OnnxEncoder pick() { return sessions.get(Math.floorMod(next.getAndIncrement(), sessions.size())); }
        @Override public String modelId() { return sessions.getFirst().modelId(); }
        @Override public String modelSha256() { return sessions.getFirst().modelSha256(); }
        @Override public int dimension() { return sessions.getFirst().dimension(); }
        @Override public int maxTokens() { return sessions.getFirst().maxTokens(); }
        @Override public int countTokens(String text) { return sessions.getFirst().countTokens(text); }
        @Override public List<float[]> embedPassages(List<String> passages) { return pick().embedPassages(passages); }
        @Override public float[] embedQuery(String query) { return pick().embedQuery(query); }
        @Override public void close() { sessions.forEach(OnnxEncoder::close); }
    }

    /** At most {@code permits} query encodings at a time, the rest waiting in arrival order (a fair semaphore). */
    record GatedEncoder(Encoder delegate, java.util.concurrent.Semaphore gate) implements Encoder {
        GatedEncoder(Encoder delegate, int permits) { this(delegate, new java.util.concurrent.Semaphore(permits, true)); }
        @Override public String modelId() { return delegate.modelId(); }
        @Override public String modelSha256() { return delegate.modelSha256(); }
        @Override public int dimension() { return delegate.dimension(); }
        @Override public int maxTokens() { return delegate.maxTokens(); }
        @Override public int countTokens(String text) { return delegate.countTokens(text); }
        @Override public List<float[]> embedPassages(List<String> passages) { return delegate.embedPassages(passages); }
        @Override public float[] embedQuery(String query) {
            gate.acquireUninterruptibly();
            try {
                return delegate.embedQuery(query);
            } finally {
                gate.release();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int chunks = Integer.parseInt(o.getOrDefault("chunks", "100000"));
        int queries = Integer.parseInt(o.getOrDefault("queries", "320"));
        List<Integer> clientCounts = Arrays.stream(o.getOrDefault("clients", "1,16").split(",")).map(Integer::parseInt).toList();
        List<SearchMode> modes = Arrays.stream(o.getOrDefault("modes", "dense,keyword,hybrid").split(",")).map(SearchMode::parse).toList();
        List<String> batchings = Arrays.asList(o.getOrDefault("batching", "off").split(","));
        // --model/--threads (one setup) or --encoders MODEL:THREADS:SESSIONS,... (several, same stores)
        String single = o.getOrDefault("model", EncoderConfig.DEFAULT_MODEL) + ":" + o.getOrDefault("threads", "0") + ":1";
        List<EncoderSpec> specs = Arrays.stream(o.getOrDefault("encoders", single).split(",")).map(EncoderSpec::parse).toList();
        List<String> storeKinds = Arrays.asList(o.getOrDefault("store", "lucene").split(","));

        for (String storeKind : storeKinds) {
            QdrantTestServer server = null;
            Path dir = null;
            ChunkStore store;
            if ("qdrant".equals(storeKind)) {
                server = QdrantTestServer.start();
                store = QdrantChunkStore.open(QdrantStoreConfig.defaults(server.host(), server.grpcPort(), "bench", 384));
            } else {
                dir = Files.createTempDirectory("search-latency-");
                store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, 384));
            }
            try {
                long started = System.nanoTime();
                List<String> queryTexts = fill(store, chunks);
                System.out.printf(Locale.ROOT, "store %s: %d chunks indexed (+ merged) in %.1f s; %d cores%n",
                        storeKind, store.count(), (System.nanoTime() - started) / 1e9, Runtime.getRuntime().availableProcessors());
                System.out.printf("%-7s %-22s %7s %8s %-8s %-8s %7s %9s %9s %9s%n", "store", "model", "threads", "sessions",
                        "batching", "mode", "clients", "q/s", "p50 ms", "p99 ms");
                boolean keywordDone = false;
                for (EncoderSpec spec : specs) {
                    try (SessionPool pool = new SessionPool(spec)) {
                        for (String batching : batchings) {
                            Encoder encoder = batching.startsWith("gate") ? new GatedEncoder(pool, Integer.parseInt(batching.substring(4)))
                                    : "on".equals(batching) ? new BatchingQueryEncoder(pool, 16, 500) : pool;
                            java.util.concurrent.Semaphore whole = batching.startsWith("query")
                                    ? new java.util.concurrent.Semaphore(Integer.parseInt(batching.substring(5)), true) : null;
                            for (SearchMode mode : modes) {
                                if (mode == SearchMode.KEYWORD && (keywordDone || !"off".equals(batching))) continue; // no encoder involved
                                for (int clients : clientCounts) {
                                    if (!"off".equals(batching) && clients == 1) continue; // nothing to batch or queue
                                    run(store, encoder, whole, mode, clients, Math.min(20, queries), queryTexts); // warm-up
                                    double[] r = run(store, encoder, whole, mode, clients, queries, queryTexts);
                                    System.out.printf(Locale.ROOT, "%-7s %-22s %7s %8d %-8s %-8s %7d %9.1f %9.1f %9.1f%n",
                                            storeKind, mode == SearchMode.KEYWORD ? "-" : Path.of(spec.model()).getFileName().toString(),
                                            mode == SearchMode.KEYWORD ? "-" : String.valueOf(spec.threads()),
                                            mode == SearchMode.KEYWORD ? 0 : spec.sessions(), batching, mode.wireName(),
                                            clients, r[0], r[1], r[2]);
                                }
                            }
                            keywordDone = true;
                            if (encoder instanceof BatchingQueryEncoder b) b.close();
                        }
                    }
                }
            } finally {
                store.close();
                if (server != null) server.close();
                if (dir != null) try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /**
     * Writes the synthetic corpus (seeded, so every store gets the same one) and returns the query texts: three words
     * of a chunk, every other one with its part number.
     */
    private static List<String> fill(ChunkStore store, int chunks) {
        Random random = new Random(42);
        String[] vocabulary = new String[20_000];
        for (int i = 0; i < vocabulary.length; i++) vocabulary[i] = word(i);
        double[] zipf = new double[vocabulary.length];
        double sum = 0;
        for (int i = 0; i < zipf.length; i++) zipf[i] = sum += 1.0 / (i + 1);
        for (int i = 0; i < zipf.length; i++) zipf[i] /= sum;
        ClusteredVectors vectors = new ClusteredVectors(384, 200, 0.6, 7);
        List<String> queryTexts = new ArrayList<>();
        List<StoredChunk> batch = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 80; w++) text.append(vocabulary[sample(zipf, random)]).append(' ');
            String part = String.format(Locale.ROOT, "PN-%06d", i);
            text.append("part ").append(part);
            String id = "doc-" + i;
            batch.add(new StoredChunk(new Chunk(Chunk.idFor(id, 1, 0), id, 1, 0, text.toString(), "", "", 0,
                    text.length(), Map.of("shard", Integer.toString(i % 4))), vectors.next()));
            if (i % Math.max(1, chunks / 200) == 0 && queryTexts.size() < 200) {
                String[] words = text.toString().split(" ");
                queryTexts.add(words[random.nextInt(40)] + " " + words[40 + random.nextInt(39)] + " "
                        + words[random.nextInt(79)] + (queryTexts.size() % 2 == 0 ? " " + part : ""));
            }
            if (batch.size() == 1000 || i == chunks - 1) {
                store.upsert(batch);
                batch = new ArrayList<>();
            }
        }
        if (store instanceof LuceneChunkStore lucene) lucene.forceMerge(1);
        return queryTexts;
    }

    /** {q/s, p50 ms, p99 ms} of {@code total} searches spread over {@code clients} threads. */
    private static double[] run(ChunkStore store, Encoder encoder, java.util.concurrent.Semaphore whole, SearchMode mode,
                                int clients, int total, List<String> texts) throws Exception {
        long[] latencies = new long[total];
        AtomicInteger next = new AtomicInteger();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        String text = texts.get(i % texts.size());
                        long t = System.nanoTime();
                        if (whole != null) whole.acquireUninterruptibly();
                        try {
                            float[] vector = mode.usesVector() ? encoder.embedQuery(text) : null;
                            store.search(new SearchQuery(text, vector, 10, MetadataFilter.NONE, mode));
                        } finally {
                            if (whole != null) whole.release();
                        }
                        latencies[i] = System.nanoTime() - t;
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Arrays.sort(latencies);
        return new double[]{total / seconds, latencies[(int) (total * 0.50)] / 1e6,
                latencies[Math.min(total - 1, (int) Math.ceil(total * 0.99) - 1)] / 1e6};
    }

    private static int sample(double[] cumulative, Random random) {
        int at = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(cumulative.length - 1, at < 0 ? -at - 1 : at);
    }

    /** A pronounceable pseudo-word per rank, so the analyzer keeps it as one token. */
    private static String word(int i) {
        String consonants = "bcdfghklmnprstvz", vowels = "aeiou";
        StringBuilder w = new StringBuilder();
        int n = i + 1;
        while (n > 0) {
            w.append(consonants.charAt(n % 16)).append(vowels.charAt((n / 16) % 5));
            n /= 80;
        }
        return w.toString();
    }
}
