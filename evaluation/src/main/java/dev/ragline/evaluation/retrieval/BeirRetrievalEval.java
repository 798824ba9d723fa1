package dev.ragline.evaluation.retrieval;

import dev.ragline.embedding.DistilledQueryEncoder;
import dev.ragline.embedding.EmbeddingCache;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.embedding.Pooling;
import dev.ragline.evaluation.metrics.RetrievalMetrics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Dense retrieval over a BEIR-layout dataset, the MTEB way: every document encoded as title + " " + text,
 * queries encoded separately (with and without the model's query instruction), exact cosine search over all
 * documents, metrics from the split's qrels. Document embeddings are cached on disk, keyed by model and corpus
 * checksums. Usage (see evaluation/README.md):
 * <pre>BeirRetrievalEval --data DIR [--model ID|PATH] [--pooling CLS|MEAN] [--split test] [--instruction both|on|off]
 *                  [--cache DIR] [--threads N] [--batch N] [--query-model DIR]</pre>
 */
public final class BeirRetrievalEval {

    public enum InstructionMode { BOTH, ON, OFF }

    /** {@code queryModel}: a distilled query encoder's directory ({@link DistilledQueryEncoder}), or null. */
    public record Options(Path data, String model, Pooling pooling, String split, InstructionMode instruction,
                          Path cache, int threads, int batchSize, Path queryModel) {
        public static Options defaults(Path data) {
            return new Options(data, EncoderConfig.DEFAULT_MODEL, null, "test", InstructionMode.BOTH,
                    Path.of("target", "beir-cache"), 0, EncoderConfig.defaults().batchSize(), null);
        }

        public Options(Path data, String model, Pooling pooling, String split, InstructionMode instruction,
                       Path cache, int threads, int batchSize) {
            this(data, model, pooling, split, instruction, cache, threads, batchSize, null);
        }
    }

    /** Mean metrics over the judged queries, as fractions (0..1). */
    public record Scores(double ndcg10, double recall10, double recall100, double mrr10, int queries) {
    }

    /**
     * Rows are keyed "with instruction" / "without instruction" ("no instruction" for models without one), and
     * "query encoder NAME" for the queries of a distilled query encoder.
     */
    public record Result(String model, String modelSha256, String corpusSha256, int documents, int queries,
                         int documentsOverMaxTokens, int maxTokens, boolean documentsFromCache,
                         double documentSeconds, Map<String, Scores> rows) {
    }

    private BeirRetrievalEval() {
    }

    /** Scores a ranking function over the dataset's judged queries; query vectors in {@code data.queries()} order. */
    public static Scores evaluate(BeirDataset data, List<float[]> queryVectors, Retriever retriever) {
        List<String> queryIds = List.copyOf(data.queries().keySet());
        if (queryVectors.size() != queryIds.size())
            throw new IllegalArgumentException(queryIds.size() + " queries but " + queryVectors.size() + " vectors");
        double ndcg = 0, recall10 = 0, recall100 = 0, mrr = 0;
        for (int i = 0; i < queryIds.size(); i++) {
            Map<String, Integer> judged = data.qrels().get(queryIds.get(i));
            List<String> ranking = retriever.search(data.queries().get(queryIds.get(i)), queryVectors.get(i), 100);
            ndcg += RetrievalMetrics.ndcgAtK(ranking, judged, 10);
            recall10 += RetrievalMetrics.recallAtK(ranking, judged, 10);
            recall100 += RetrievalMetrics.recallAtK(ranking, judged, 100);
            mrr += RetrievalMetrics.mrrAtK(ranking, judged, 10);
        }
        int n = queryIds.size();
        return new Scores(ndcg / n, recall10 / n, recall100 / n, mrr / n, n);
    }

    /** Exact search by default; pass another factory (ids, texts, vectors → retriever) to evaluate a real store. */
    public static Result run(Options options) {
        return run(options, docs -> new ExactSearch(docs.ids(), docs.vectors()));
    }

    public record IndexedDocuments(List<String> ids, List<String> texts, List<float[]> vectors) {
    }

    public static Result run(Options options, Function<IndexedDocuments, Retriever> index) {
        return runEach(options, docs -> Map.of("", index.apply(docs))).get("");
    }

    /**
     * Several retrievers over the same index (for example dense, keyword and hybrid search of one store): documents
     * and queries are encoded once; one result per retriever name, in the map's order.
     */
    public static Map<String, Result> runEach(Options options, Function<IndexedDocuments, Map<String, Retriever>> index) {
        BeirDataset data = BeirDataset.load(options.data(), options.split());
        EncoderConfig config = EncoderConfig.of(options.model()).withPooling(options.pooling())
                .withIntraOpThreads(options.threads()).withBatchSize(options.batchSize()).withQueryInstruction(true);
        try (OnnxEncoder encoder = Encoders.open(config)) {
            List<String> ids = List.copyOf(data.documents().keySet());
            List<String> texts = List.copyOf(data.documents().values());
            int overMax = (int) texts.stream().filter(t -> encoder.countTokens(t) > encoder.maxTokens()).count();

            var cache = new EmbeddingCache(options.cache());
            boolean wasCached = cache.contains(encoder, texts);
            long started = System.nanoTime();
            List<float[]> documentVectors = List.of(cache.embed(encoder, texts, progress()));
            double documentSeconds = (System.nanoTime() - started) / 1e9;
            Map<String, Retriever> retrievers = index.apply(new IndexedDocuments(ids, texts, documentVectors));

            List<String> queries = List.copyOf(data.queries().values());
            boolean hasInstruction = !encoder.queryInstruction().isEmpty();
            Map<String, List<float[]>> queryVectors = new LinkedHashMap<>();
            if (hasInstruction && options.instruction() != InstructionMode.OFF)
                queryVectors.put("with instruction", encoder.embedQueries(queries));
            if (!hasInstruction)
                queryVectors.put("no instruction", encoder.embedPassages(queries));
            else if (options.instruction() != InstructionMode.ON)
                queryVectors.put("without instruction", encoder.embedPassages(queries));
            if (options.queryModel() != null)
                try (OnnxEncoder student = DistilledQueryEncoder.open(options.queryModel(), encoder, config)) {
                    queryVectors.put(queryEncoderRow(options.queryModel()), student.embedQueries(queries));
                }
            Map<String, Result> results = new LinkedHashMap<>();
            retrievers.forEach((name, retriever) -> {
                Map<String, Scores> rows = new LinkedHashMap<>();
                queryVectors.forEach((variant, vectors) -> rows.put(variant, evaluate(data, vectors, retriever)));
                results.put(name, new Result(encoder.modelId(), encoder.modelSha256(), data.corpusSha256(), ids.size(),
                        queries.size(), overMax, encoder.maxTokens(), wasCached, documentSeconds, rows));
            });
            return results;
        }
    }

    /** The row name of a distilled query encoder's queries. */
    public static String queryEncoderRow(Path queryModel) {
        return "query encoder " + queryModel.toAbsolutePath().normalize().getFileName();
    }

    /** Reports encoding progress on stderr about every 5%; called only when the embeddings are not cached. */
    private static BiConsumer<Integer, Integer> progress() {
        AtomicInteger reported = new AtomicInteger(-1);
        long started = System.nanoTime();
        return (done, total) -> {
            int step = Math.max(1, total / 20);
            if (done / step > reported.get() || done.equals(total)) {
                reported.set(done / step);
                double seconds = (System.nanoTime() - started) / 1e9;
                System.err.printf(Locale.ROOT, "encoded %d/%d documents, %.1f docs/s%n", done, total, done / seconds);
            }
        };
    }

    public static String format(Result result) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model %s  sha256 %s%n", result.model(), result.modelSha256()));
        out.append(String.format(Locale.ROOT, "corpus sha256 %s  documents %d  judged queries %d%n",
                result.corpusSha256(), result.documents(), result.queries()));
        out.append(String.format(Locale.ROOT, "documents over %d tokens (truncated): %d;  document embeddings %s in %.1f s%n",
                result.maxTokens(), result.documentsOverMaxTokens(),
                result.documentsFromCache() ? "from cache" : "encoded", result.documentSeconds()));
        out.append(String.format(Locale.ROOT, "%-20s %8s %10s %11s %8s%n", "queries", "nDCG@10", "recall@10", "recall@100", "MRR@10"));
        result.rows().forEach((name, s) -> out.append(String.format(Locale.ROOT, "%-20s %8.2f %10.2f %11.2f %8.2f%n",
                name, 100 * s.ndcg10(), 100 * s.recall10(), 100 * s.recall100(), 100 * s.mrr10())));
        return out.toString();
    }

    public static void main(String[] args) {
        try {
            System.out.print(format(run(parse(args))));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    static Options parse(String[] args) {
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args)
                        + "\nusage: --data DIR [--model ID|PATH] [--pooling CLS|MEAN] [--split test]"
                        + " [--instruction both|on|off] [--cache DIR] [--threads N] [--batch N] [--query-model DIR]");
            named.put(args[i].substring(2), args[++i]);
        }
        if (!named.containsKey("data")) throw new IllegalArgumentException("--data DIR (a BEIR folder) is required");
        Options d = Options.defaults(Path.of(named.remove("data")));
        Options options = new Options(d.data(),
                named.getOrDefault("model", d.model()),
                named.containsKey("pooling") ? Pooling.valueOf(named.get("pooling").toUpperCase(Locale.ROOT)) : null,
                named.getOrDefault("split", d.split()),
                InstructionMode.valueOf(named.getOrDefault("instruction", "both").toUpperCase(Locale.ROOT)),
                named.containsKey("cache") ? Path.of(named.get("cache")) : d.cache(),
                Integer.parseInt(named.getOrDefault("threads", "0")),
                Integer.parseInt(named.getOrDefault("batch", String.valueOf(d.batchSize()))),
                named.containsKey("query-model") ? Path.of(named.get("query-model")) : null);
        List<String> unknown = new ArrayList<>(named.keySet());
        unknown.removeAll(List.of("model", "pooling", "split", "instruction", "cache", "threads", "batch", "query-model"));
        if (!unknown.isEmpty()) throw new IllegalArgumentException("unknown options: " + unknown);
        return options;
    }
}
