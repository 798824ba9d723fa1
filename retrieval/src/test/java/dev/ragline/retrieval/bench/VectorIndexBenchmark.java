package dev.ragline.retrieval.bench;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.ClusteredVectors;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionStatus;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Recall@k against exact search and single-thread queries/s for the Lucene store (float32 and int8 with
 * re-scoring) and, with {@code --qdrant}, for a real local Qdrant server, on clustered random unit vectors.
 *
 * <pre>
 * ./mvnw -B -q -pl retrieval -am verify -DskipTests -Pbench -Dbench.args="--n 20000 --dim 384 --qdrant"
 * </pre>
 * Options (defaults): --n 20000 --dim 384 --queries 500 --clusters 200 --noise 0.6 --k 10 --batch 1000
 * --ef 10,20,40,100 --m 16 --beam 100 --oversample 2 --qdrant (off).
 */
public final class VectorIndexBenchmark {
    private final Map<String, String> options;
    private final int n;
    private final int dim;
    private final int k;
    private final int batch;
    private final float[][] data;
    private final float[][] queries;
    private final int[][] exact;
    private final List<String> rows = new ArrayList<>();

    private VectorIndexBenchmark(Map<String, String> options) {
        this.options = options;
        n = intOption("n", 20_000);
        dim = intOption("dim", 384);
        k = intOption("k", 10);
        batch = intOption("batch", 1000);
        ClusteredVectors generator = new ClusteredVectors(dim, intOption("clusters", 200),
                Double.parseDouble(options.getOrDefault("noise", "0.6")), 7);
        data = generator.next(n);
        queries = generator.next(intOption("queries", 500));
        long start = System.nanoTime();
        exact = new int[queries.length][];
        for (int q = 0; q < queries.length; q++) exact[q] = ClusteredVectors.exactTopK(data, queries[q], k);
        System.out.printf(Locale.ROOT, "%d vectors x %d dims, %d queries, exact top-%d by brute force in %.1f s%n",
                n, dim, queries.length, k, seconds(start));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
            String key = args[i].substring(2);
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(key, flag ? "true" : args[++i]);
        }
        new VectorIndexBenchmark(options).run();
    }

    private void run() throws IOException {
        int m = intOption("m", LuceneStoreConfig.DEFAULT_MAX_CONN);
        int beam = intOption("beam", LuceneStoreConfig.DEFAULT_BEAM_WIDTH);
        double oversample = Double.parseDouble(options.getOrDefault("oversample", "2"));
        List<Integer> efs = Stream.of(options.getOrDefault("ef", "10,20,40,100").split(",")).map(Integer::parseInt).toList();
        Path root = Files.createTempDirectory("vector-bench-");
        try {
            for (String encoding : List.of("float32", "int8")) {
                Path dir = root.resolve(encoding);
                Function<Integer, LuceneStoreConfig> config = ef -> {
                    LuceneStoreConfig c = LuceneStoreConfig.defaults(dir, dim).withHnsw(m, beam).withEfSearch(ef);
                    return encoding.equals("int8") ? c.withInt8(oversample) : c;
                };
                String name = "lucene " + encoding + (encoding.equals("int8") ? " x" + oversample + " rescored" : "");
                String ingested;
                try (ChunkStore store = LuceneChunkStore.open(config.apply(efs.getFirst()))) {
                    ingested = ingest(store);
                }
                String index = ingested + describe(dir);
                for (int ef : efs) {
                    try (ChunkStore store = LuceneChunkStore.open(config.apply(ef))) {
                        measure(name, ef, store, index);
                    }
                }
                long start = System.nanoTime();
                try (LuceneChunkStore store = LuceneChunkStore.open(config.apply(efs.getFirst()))) {
                    store.forceMerge(1);
                }
                String merged = String.format(Locale.ROOT, "forceMerge(1) in %.1f s", seconds(start)) + describe(dir);
                for (int ef : efs) {
                    try (ChunkStore store = LuceneChunkStore.open(config.apply(ef))) {
                        measure(name, ef, store, merged);
                    }
                }
            }
            if (options.containsKey("qdrant")) qdrant(m, beam, efs);
        } finally {
            deleteRecursively(root);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-32s %6s %10s %12s   %s%n", "store", "ef", "recall@" + k, "queries/s", "indexing");
        rows.forEach(System.out::println);
    }

    private void qdrant(int m, int efConstruct, List<Integer> efs) {
        try (QdrantTestServer server = QdrantTestServer.start()) {
            QdrantStoreConfig base = QdrantStoreConfig.defaults(server.host(), server.grpcPort(), "bench", dim)
                    .withUpsertBatchSize(batch);
            String index;
            try (ChunkStore store = QdrantChunkStore.open(base.withHnsw(m, efConstruct, efs.getFirst()))) {
                long start = System.nanoTime();
                index = ingest(store);
                long indexed = awaitOptimized(server);
                index += String.format(Locale.ROOT, ", optimized after %.1f s, %d of %d vectors in HNSW",
                        seconds(start), indexed, n);
            }
            for (int ef : efs) {
                try (ChunkStore store = QdrantChunkStore.open(base.withHnsw(m, efConstruct, ef))) {
                    measure("qdrant 1.16 float32 (gRPC)", ef, store, index);
                }
            }
        }
    }

    /**
     * Qdrant builds its HNSW in the background once a segment passes its indexing threshold; measuring before the
     * optimizer is done would time a brute-force scan. Returns how many vectors ended up in an HNSW graph.
     */
    private static long awaitOptimized(QdrantTestServer server) {
        try (QdrantClient client = new QdrantClient(
                QdrantGrpcClient.newBuilder(server.host(), server.grpcPort(), false).build())) {
            Thread.sleep(1000); // let the optimizer notice the new segments
            while (true) {
                var info = client.getCollectionInfoAsync("bench").get();
                if (info.getStatus() == CollectionStatus.Green) return info.getIndexedVectorsCount();
                Thread.sleep(200);
            }
        } catch (Exception e) {
            throw new IllegalStateException("waiting for the Qdrant optimizer failed", e);
        }
    }

    private String ingest(ChunkStore store) {
        long start = System.nanoTime();
        for (int from = 0; from < n; from += batch) {
            List<StoredChunk> chunks = new ArrayList<>(batch);
            for (int i = from; i < Math.min(n, from + batch); i++) {
                String doc = Integer.toString(i);
                chunks.add(new StoredChunk(new Chunk(Chunk.idFor(doc, 1, 0), doc, 1, 0, "passage " + i, "", "", 0, 0,
                        Map.of()), data[i]));
            }
            store.upsert(chunks);
        }
        double seconds = seconds(start);
        return String.format(Locale.ROOT, "%.0f chunks/s ingested (batches of %d, each durable)", n / seconds, batch);
    }

    private void measure(String name, int ef, ChunkStore store, String index) {
        int warmup = Math.min(queries.length, 200);
        for (int q = 0; q < warmup; q++) store.search(queries[q], k, MetadataFilter.NONE);
        double recall = 0;
        long start = System.nanoTime();
        for (int q = 0; q < queries.length; q++) {
            List<Integer> found = store.search(queries[q], k, MetadataFilter.NONE).stream()
                    .map(h -> Integer.parseInt(h.chunk().documentId())).toList();
            recall += ClusteredVectors.recall(exact[q], found);
        }
        double qps = queries.length / seconds(start);
        String row = String.format(Locale.ROOT, "%-32s %6d %10.3f %12.0f   %s", name, ef, recall / queries.length, qps, index);
        System.out.println(row);
        rows.add(row);
    }

    private int intOption(String name, int fallback) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(fallback)));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String describe(Path dir) throws IOException {
        return String.format(Locale.ROOT, ", %d segment(s), %.0f MB on disk", segments(dir), directoryMegabytes(dir));
    }

    private static int segments(Path dir) throws IOException {
        try (FSDirectory directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory)) {
            return reader.leaves().size();
        }
    }

    private static double directoryMegabytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum() / 1e6;
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
