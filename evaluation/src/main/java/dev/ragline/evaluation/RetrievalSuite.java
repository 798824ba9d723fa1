package dev.ragline.evaluation;

import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Pooling;
import dev.ragline.evaluation.report.Charts;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.EvalReport.Metric;
import dev.ragline.evaluation.report.ReportBuilder;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxCrossEncoder;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.evaluation.retrieval.BeirDataset;
import dev.ragline.evaluation.retrieval.BeirRetrievalEval;
import dev.ragline.evaluation.retrieval.ChunkStoreRetriever;
import dev.ragline.evaluation.retrieval.ExactSearch;
import dev.ragline.evaluation.retrieval.Retriever;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.SearchMode;
import dev.ragline.evaluation.retrieval.RrfFusion;
import dev.ragline.retrieval.HybridConfig;
import dev.ragline.retrieval.Reranker;
import dev.ragline.retrieval.lucene.KeywordAnalyzer;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Retrieval on a BEIR folder through the embedding engineer's {@link BeirRetrievalEval}: per index kind (exact
 * search, the Lucene store, a real Qdrant server) and per search mode (dense, keyword = BM25, hybrid = RRF of both),
 * with and without a metadata filter.
 */
@Command(name = "retrieval", description = "nDCG@10, recall@10/100, MRR@10 on a BEIR folder: dense, keyword (BM25) and hybrid "
        + "(RRF) search over exact search, the Lucene store and/or a Qdrant server.")
final class RetrievalSuite extends Harness.Suite {

    @Option(names = "--beir", description = "BEIR folder (default: <datasets>/scifact).")
    Path beir;

    @Option(names = "--model", description = "Encoder id or ONNX path (default: ${DEFAULT-VALUE}).")
    String model = EncoderConfig.DEFAULT_MODEL;

    @Option(names = "--pooling", description = "CLS or MEAN, for a model given by path.")
    Pooling pooling;

    @Option(names = "--query-model", description = "A query encoder distilled from --model (the folder "
            + "embedding/training/distill_query_encoder.py writes): its queries are scored as extra rows, "
            + "\"query encoder NAME\", against the same --model documents.")
    Path queryModel;

    @Option(names = "--split", defaultValue = "test")
    String split;

    @Option(names = "--instruction", defaultValue = "BOTH", description = "Query instruction: BOTH, ON, OFF (default: ${DEFAULT-VALUE}).")
    BeirRetrievalEval.InstructionMode instruction;

    @Option(names = "--index", split = ",", defaultValue = "exact",
            description = "exact (cosine over all documents; keyword = Lucene BM25, hybrid = RRF of the two in memory), "
                    + "lucene (the platform's HNSW + BM25 store) and/or qdrant (a real Qdrant server) (default: ${DEFAULT-VALUE}).")
    List<String> indexes;

    @Option(names = "--modes", split = ",", defaultValue = "dense,keyword,hybrid",
            description = "Search modes to evaluate on each index: dense, keyword, hybrid (default: ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--qdrant", description = "host:grpcPort of a Qdrant 1.16 server for --index qdrant (default: start the "
            + "pinned test server from retrieval/qdrant-server, which the retrieval build installs).")
    String qdrant;

    @Option(names = "--candidates", defaultValue = "" + HybridConfig.DEFAULT_CANDIDATES_PER_LEG,
            description = "Hybrid: candidates per leg (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--rrf-k", defaultValue = "" + HybridConfig.DEFAULT_RRF_K,
            description = "Hybrid: reciprocal rank fusion constant (default: ${DEFAULT-VALUE}).")
    int rrfK;

    @Option(names = "--analyzer", defaultValue = "ENGLISH",
            description = "Analyzer of the Lucene BM25 field: ENGLISH or STANDARD (default: ${DEFAULT-VALUE}).")
    KeywordAnalyzer analyzer;

    @Option(names = "--cache", description = "Document-embedding cache (default: ~/.cache/ragline/beir, shared by every checkout on the machine).")
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "ragline", "beir");

    @Option(names = "--threads", defaultValue = "0", description = "ONNX intra-op threads (0 = runtime default).")
    int threads;

    @Option(names = "--filter-partitions", defaultValue = "4",
            description = "Also search with a metadata filter over this many synthetic partitions (0 = off; default: ${DEFAULT-VALUE}).")
    int filterPartitions;

    @Option(names = "--rerank-model", description = "A cross-encoder (an .onnx file with tokenizer.json beside it, or a folder "
            + "holding model.onnx and tokenizer.json): every mode is also run followed by the reranking stage (rows "
            + "'<mode>+rerank'; not in the filtered pass).")
    Path rerankModel;

    @Option(names = "--rerank-candidates", defaultValue = "50",
            description = "First-stage hits the reranking stage re-scores per query (default: ${DEFAULT-VALUE}).")
    int rerankCandidates;

    /** The cross-encoder of --rerank-model, opened once per run. */
    private OnnxCrossEncoder crossEncoder;

    /** The documents and vectors of the last run, for the filtered pass (no second encoding). */
    private BeirRetrievalEval.IndexedDocuments documents;

    /** Stores opened for this run, closed and deleted when it ends. */
    private final List<Runnable> cleanup = new ArrayList<>();

    /** The Qdrant test server started for this run, if any. */
    private QdrantTestServer qdrantServer;

    @Override
    String name() {
        return "retrieval";
    }

    private List<SearchMode> searchModes() {
        return modes.stream().map(SearchMode::parse).distinct().toList();
    }

    private HybridConfig hybrid() {
        return new HybridConfig(candidates, rrfK);
    }

    /** Headline names: dense rows keep the names of the dense-only reports, so runs stay comparable. */
    private static String key(String index, SearchMode mode, String queries) {
        return mode == SearchMode.DENSE ? index + ", " + queries : index + ", " + mode.wireName() + ", " + queries;
    }

    @Override
    EvalReport run() {
        Path data = beir != null ? beir : harness.datasets.resolve("scifact");
        List<SearchMode> searchModes = searchModes();
        ReportBuilder report = ReportBuilder.start(name(), harness.label)
                .configure("beir", data.toString()).configure("model", model).configure("split", split)
                .configure("instruction", instruction.name()).configure("indexes", indexes)
                .configure("modes", searchModes.stream().map(SearchMode::wireName).toList())
                .configure("candidatesPerLeg", candidates).configure("rrfK", rrfK)
                .configure("keywordAnalyzer", analyzer.name())
                .configure("queryModel", queryModel == null ? "" : queryModel.toString())
                .input("dataset", data.getFileName().toString(), data);
        if (rerankModel != null) {
            Path onnx = Files.isDirectory(rerankModel) ? rerankModel.resolve("model.onnx") : rerankModel;
            crossEncoder = OnnxCrossEncoder.open(onnx, onnx.resolveSibling("tokenizer.json"), 512, threads);
            report.configure("rerankModel", onnx.toString()).configure("rerankModelSha256", crossEncoder.modelSha256())
                    .configure("rerankCandidates", rerankCandidates);
        }
        List<List<Object>> rows = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        try {
            if (searchModes.equals(List.of(SearchMode.KEYWORD))) {
                keywordOnly(data, report, rows, results);
                return finish(report, data, rows, results);
            }
            for (String index : indexes) {
                System.err.println("[retrieval] " + index + " search (" + modes + ") over " + data);
                BeirRetrievalEval.Options options = new BeirRetrievalEval.Options(data, model, pooling, split, instruction,
                        cache, threads, 32, queryModel);
                Map<String, BeirRetrievalEval.Result> byMode;
                try {
                    byMode = BeirRetrievalEval.runEach(options, docs -> retrievers(index, docs, searchModes, report));
                } finally {
                    runCleanup();
                }
                byMode.forEach((modeName, r) -> {
                    boolean reranked = modeName.endsWith(RERANKED);
                    SearchMode mode = SearchMode.parse(reranked ? modeName.substring(0, modeName.length() - RERANKED.length()) : modeName);
                    report.encoder(r.model(), r.modelSha256());
                    results.put(index + ", " + modeName, r);
                    r.rows().forEach((queries, s) -> {
                        String key = reranked ? index + ", " + modeName + ", " + queries : key(index, mode, queries);
                        rows.add(List.of(index, modeName, queries, s.ndcg10(), s.recall10(), s.recall100(), s.mrr10(), s.queries()));
                        report.headline(Metric.higher("ndcg@10 (" + key + ")", s.ndcg10()));
                        report.headline(Metric.higher("recall@100 (" + key + ")", s.recall100()));
                        report.headline(Metric.higher("mrr@10 (" + key + ")", s.mrr10()));
                    });
                });
            }
            if (filterPartitions > 0) filtered(data, report, rows, results, searchModes);
        } finally {
            runCleanup();
            if (qdrantServer != null) qdrantServer.close();
            if (crossEncoder != null) crossEncoder.close();
        }
        return finish(report, data, rows, results);
    }

    private EvalReport finish(ReportBuilder report, Path data, List<List<Object>> rows, Map<String, Object> results) {
        report.metric("results", results);
        report.table(new Charts.Table("Retrieval on " + data.getFileName() + " (" + split + ")",
                List.of("index", "mode", "queries", "nDCG@10", "recall@10", "recall@100", "MRR@10", "judged queries"), rows));
        return report.finish();
    }

    /**
     * {@code --modes keyword} alone: BM25 needs no embeddings, so nothing is encoded; the stores get one placeholder
     * unit vector per chunk (never searched). Exact and Lucene are the same BM25 here (Lucene's is exact).
     */
    private void keywordOnly(Path data, ReportBuilder report, List<List<Object>> rows, Map<String, Object> results) {
        BeirDataset dataset = BeirDataset.load(data, split);
        List<String> ids = List.copyOf(dataset.documents().keySet());
        List<String> texts = List.copyOf(dataset.documents().values());
        float[] placeholder = new float[384];
        placeholder[0] = 1;
        List<float[]> vectors = java.util.Collections.nCopies(ids.size(), placeholder);
        List<float[]> queryVectors = java.util.Collections.nCopies(dataset.queries().size(), placeholder);
        report.configure("keywordOnly", true);
        for (String index : indexes) {
            if ("exact".equals(index)) continue;
            System.err.println("[retrieval] " + index + " keyword search over " + data + " (no encoding)");
            try {
                ChunkStore store = "lucene".equals(index) ? luceneStore(placeholder.length)
                        : qdrantStore(placeholder.length, texts, report);
                Retriever keyword = ChunkStoreRetriever.index(store, ids, texts, vectors).withMode(SearchMode.KEYWORD);
                BeirRetrievalEval.Scores s = BeirRetrievalEval.evaluate(dataset, queryVectors, keyword);
                results.put(index + ", keyword", s);
                rows.add(List.of(index, "keyword", "query text", s.ndcg10(), s.recall10(), s.recall100(), s.mrr10(), s.queries()));
                report.headline(Metric.higher("ndcg@10 (" + index + ", keyword)", s.ndcg10()));
                report.headline(Metric.higher("recall@100 (" + index + ", keyword)", s.recall100()));
                if (filterPartitions > 0) {
                    ChunkStore filtered = "lucene".equals(index) ? luceneStore(placeholder.length)
                            : qdrantStore(placeholder.length, texts, report);
                    FilteredRetrieval.write(filtered, ids, texts, vectors, filterPartitions);
                    FilteredRetrieval.Scores f = FilteredRetrieval.evaluate(dataset, queryVectors,
                            FilteredRetrieval.storeRanker(filtered, SearchMode.KEYWORD), filterPartitions);
                    results.put(index + ", filtered, keyword", f);
                    rows.add(List.of(index + ", filtered", "keyword", "query text", f.ndcg10(), f.recall10(), f.recall100(),
                            f.mrr10(), f.queries()));
                    report.headline(Metric.higher("ndcg@10 (" + index + ", filtered, keyword)", f.ndcg10()));
                }
            } finally {
                runCleanup();
            }
        }
    }

    private void runCleanup() {
        cleanup.forEach(Runnable::run);
        cleanup.clear();
    }

    /** The same indexes, searched with a partition filter on every leg (see {@link FilteredRetrieval}). */
    private void filtered(Path data, ReportBuilder report, List<List<Object>> rows, Map<String, Object> results,
                          List<SearchMode> searchModes) {
        BeirDataset dataset = BeirDataset.load(data, split);
        boolean instructed = instruction == BeirRetrievalEval.InstructionMode.ON;
        String queries = instructed ? "with instruction" : "without instruction";
        List<float[]> queryVectors;
        EncoderConfig config = EncoderConfig.of(model).withPooling(pooling).withIntraOpThreads(threads)
                .withQueryInstruction(instructed);
        System.err.println("[retrieval] filtered search, " + filterPartitions + " partitions, queries " + queries);
        try (OnnxEncoder encoder = Encoders.open(config)) {
            List<String> texts = List.copyOf(dataset.queries().values());
            queryVectors = instructed ? encoder.embedQueries(texts) : encoder.embedPassages(texts);
        }
        report.configure("filterPartitions", filterPartitions);
        int dimension = documents.vectors().getFirst().length;
        for (String index : indexes) {
            Map<SearchMode, FilteredRetrieval.Ranker> rankers = new LinkedHashMap<>();
            try {
                switch (index) {
                    case "exact" -> {
                        FilteredRetrieval.Ranker exact = FilteredRetrieval.exact(documents.ids(), documents.vectors(), filterPartitions);
                        FilteredRetrieval.Ranker keyword = null;
                        if (searchModes.stream().anyMatch(SearchMode::usesText)) {
                            ChunkStore bm25 = luceneStore(dimension);
                            FilteredRetrieval.write(bm25, documents.ids(), documents.texts(), documents.vectors(), filterPartitions);
                            keyword = FilteredRetrieval.storeRanker(bm25, SearchMode.KEYWORD);
                        }
                        for (SearchMode mode : searchModes)
                            rankers.put(mode, switch (mode) {
                                case DENSE -> exact;
                                case KEYWORD -> keyword;
                                case HYBRID -> FilteredRetrieval.fused(exact, keyword, rrfK);
                            });
                    }
                    case "lucene", "qdrant" -> {
                        ChunkStore store = "lucene".equals(index) ? luceneStore(dimension) : qdrantStore(dimension, documents.texts(), report);
                        FilteredRetrieval.write(store, documents.ids(), documents.texts(), documents.vectors(), filterPartitions);
                        for (SearchMode mode : searchModes) rankers.put(mode, FilteredRetrieval.storeRanker(store, mode));
                    }
                    default -> throw new IllegalArgumentException("unknown index '" + index + "'");
                }
                for (var entry : rankers.entrySet()) {
                    FilteredRetrieval.Scores s = FilteredRetrieval.evaluate(dataset, queryVectors, entry.getValue(), filterPartitions);
                    String name = index + ", filtered";
                    String modeName = entry.getKey().wireName();
                    results.put(name + ", " + modeName, s);
                    rows.add(List.of(name, modeName, queries, s.ndcg10(), s.recall10(), s.recall100(), s.mrr10(), s.queries()));
                    report.headline(Metric.higher("ndcg@10 (" + key(name, entry.getKey(), queries) + ")", s.ndcg10()));
                }
            } finally {
                runCleanup();
            }
        }
    }

    /** A Lucene HNSW + BM25 store in a temporary folder, closed and deleted at the end of the pass. */
    private LuceneChunkStore luceneStore(int dimension) {
        Path dir = temporaryDirectory();
        LuceneChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, dimension).withHybrid(hybrid())
                .withAnalyzer(analyzer));
        cleanup.add(() -> {
            store.close();
            deleteTree(dir);
        });
        return store;
    }

    /**
     * A fresh collection on the Qdrant server (started here unless --qdrant names one), with qdrant/bm25's average
     * length set to the corpus's mean token count (English analysis, as Qdrant's BM25 tokenizes: lower case, stop
     * words removed, stemmed); the collection is dropped at the end of the pass.
     */
    private QdrantChunkStore qdrantStore(int dimension, List<String> texts, ReportBuilder report) {
        String host;
        int port;
        if (qdrant != null) {
            String[] parts = qdrant.split(":");
            host = parts[0];
            port = parts.length > 1 ? Integer.parseInt(parts[1]) : QdrantStoreConfig.DEFAULT_GRPC_PORT;
        } else {
            if (qdrantServer == null) qdrantServer = QdrantTestServer.start();
            host = qdrantServer.host();
            port = qdrantServer.grpcPort();
        }
        double avgLen = averageTokens(texts);
        report.configure("qdrantBm25AvgLen", Math.round(avgLen * 10) / 10.0);
        String collection = "ragline_eval_" + UUID.randomUUID().toString().replace("-", "");
        QdrantStoreConfig config = QdrantStoreConfig.defaults(host, port, collection, dimension)
                .withHybrid(hybrid()).withBm25AvgLen(avgLen).withTimeout(java.time.Duration.ofMinutes(5));
        QdrantChunkStore store = QdrantChunkStore.open(config);
        cleanup.add(() -> {
            store.close();
            try (var client = new io.qdrant.client.QdrantClient(io.qdrant.client.QdrantGrpcClient
                    .newBuilder(host, port, false).build())) {
                client.deleteCollectionAsync(collection).get();
            } catch (Exception e) {
                System.err.println("[retrieval] could not drop Qdrant collection " + collection + ": " + e.getMessage());
            }
        });
        return store;
    }

    static double averageTokens(List<String> texts) {
        long tokens = 0;
        try (Analyzer analyzer = KeywordAnalyzer.ENGLISH.create()) {
            for (String text : texts) {
                try (TokenStream stream = analyzer.tokenStream("t", text)) {
                    stream.reset();
                    while (stream.incrementToken()) tokens++;
                    stream.end();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts.isEmpty() ? QdrantStoreConfig.DEFAULT_BM25_AVG_LEN : Math.max(1.0, (double) tokens / texts.size());
    }

    private static final String RERANKED = "+rerank";

    /** The first-stage retrievers, and with --rerank-model each followed by the reranking stage. */
    private Map<String, Retriever> retrievers(String index, BeirRetrievalEval.IndexedDocuments docs,
                                              List<SearchMode> searchModes, ReportBuilder report) {
        Map<String, Retriever> first = firstStage(index, docs, searchModes, report);
        if (crossEncoder == null) return first;
        Map<String, Retriever> all = new LinkedHashMap<>(first);
        Map<String, String> textById = new java.util.HashMap<>();
        for (int i = 0; i < docs.ids().size(); i++) textById.put(docs.ids().get(i), docs.texts().get(i));
        Reranker reranker = new Reranker(crossEncoder, rerankCandidates);
        first.forEach((mode, retriever) -> all.put(mode + RERANKED, retriever instanceof ChunkStoreRetriever store
                ? store.withReranker(reranker) : reranked(retriever, textById)));
        return all;
    }

    /** Exact search's stage two: the same cross-encoder over the top candidates' texts (no store to go through). */
    private Retriever reranked(Retriever first, Map<String, String> textById) {
        return new Retriever() {
            @Override
            public List<String> search(float[] queryVector, int k) {
                throw new IllegalStateException("reranking needs the query text");
            }

            @Override
            public List<String> search(String text, float[] queryVector, int k) {
                List<String> ids = first.search(text, queryVector, Math.max(k, rerankCandidates));
                List<Double> scores = crossEncoder.score(text, ids.stream().map(textById::get).toList());
                Integer[] order = java.util.stream.IntStream.range(0, ids.size()).boxed().toArray(Integer[]::new);
                java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores.get(i)).reversed());
                return java.util.Arrays.stream(order).limit(k).map(ids::get).toList();
            }
        };
    }

    private Map<String, Retriever> firstStage(String index, BeirRetrievalEval.IndexedDocuments docs,
                                              List<SearchMode> searchModes, ReportBuilder report) {
        documents = docs;
        int dimension = docs.vectors().getFirst().length;
        Map<String, Retriever> retrievers = new LinkedHashMap<>();
        switch (index) {
            case "exact" -> {
                ExactSearch exact = new ExactSearch(docs.ids(), docs.vectors());
                ChunkStoreRetriever keyword = searchModes.stream().anyMatch(SearchMode::usesText)
                        ? ChunkStoreRetriever.index(luceneStore(dimension), docs.ids(), docs.texts(), docs.vectors())
                                .withMode(SearchMode.KEYWORD) : null;
                for (SearchMode mode : searchModes)
                    retrievers.put(mode.wireName(), switch (mode) {
                        case DENSE -> exact;
                        case KEYWORD -> keyword;
                        case HYBRID -> new Retriever() {
                            @Override
                            public List<String> search(float[] queryVector, int k) {
                                throw new IllegalStateException("hybrid search needs the query text");
                            }

                            @Override
                            public List<String> search(String text, float[] queryVector, int k) {
                                int depth = hybrid().depth(k);
                                return RrfFusion.fuse(List.of(exact.search(queryVector, depth),
                                        keyword.search(text, queryVector, depth)), rrfK, k);
                            }
                        };
                    });
            }
            case "lucene", "qdrant" -> {
                ChunkStore store = "lucene".equals(index) ? luceneStore(dimension) : qdrantStore(dimension, docs.texts(), report);
                ChunkStoreRetriever dense = ChunkStoreRetriever.index(store, docs.ids(), docs.texts(), docs.vectors());
                for (SearchMode mode : searchModes) retrievers.put(mode.wireName(), dense.withMode(mode));
            }
            default -> throw new IllegalArgumentException("unknown index '" + index + "' (exact, lucene, qdrant)");
        }
        return retrievers;
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("ragline-eval-lucene");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort at exit; the folder is in the temporary directory
        }
    }
}
