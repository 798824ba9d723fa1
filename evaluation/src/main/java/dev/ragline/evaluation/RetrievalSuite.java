package dev.ragline.evaluation;

import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Pooling;
import dev.ragline.evaluation.report.Charts;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.EvalReport.Metric;
import dev.ragline.evaluation.report.ReportBuilder;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.evaluation.retrieval.BeirDataset;
import dev.ragline.evaluation.retrieval.BeirRetrievalEval;
import dev.ragline.evaluation.retrieval.ChunkStoreRetriever;
import dev.ragline.evaluation.retrieval.ExactSearch;
import dev.ragline.evaluation.retrieval.Retriever;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
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
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/** Dense retrieval on a BEIR folder through the embedding engineer's {@link BeirRetrievalEval}, per index kind. */
@Command(name = "retrieval", description = "nDCG@10, recall@10/100, MRR@10 on a BEIR folder (exact search and/or Lucene HNSW).")
final class RetrievalSuite extends Harness.Suite {

    @Option(names = "--beir", description = "BEIR folder (default: <datasets>/scifact).")
    Path beir;

    @Option(names = "--model", description = "Encoder id or ONNX path (default: ${DEFAULT-VALUE}).")
    String model = EncoderConfig.DEFAULT_MODEL;

    @Option(names = "--pooling", description = "CLS or MEAN, for a model given by path.")
    Pooling pooling;

    @Option(names = "--split", defaultValue = "test")
    String split;

    @Option(names = "--instruction", defaultValue = "BOTH", description = "Query instruction: BOTH, ON, OFF (default: ${DEFAULT-VALUE}).")
    BeirRetrievalEval.InstructionMode instruction;

    @Option(names = "--index", split = ",", defaultValue = "exact",
            description = "exact (cosine over all documents) and/or lucene (the platform's HNSW store) (default: ${DEFAULT-VALUE}).")
    List<String> indexes;

    @Option(names = "--cache", description = "Document-embedding cache (default: ~/.cache/ragline/beir, shared by every checkout on the machine).")
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "ragline", "beir");

    @Option(names = "--threads", defaultValue = "0", description = "ONNX intra-op threads (0 = runtime default).")
    int threads;

    @Option(names = "--filter-partitions", defaultValue = "4",
            description = "Also search with a metadata filter over this many synthetic partitions (0 = off; default: ${DEFAULT-VALUE}).")
    int filterPartitions;

    /** The documents and vectors of the last run, for the filtered pass (no second encoding). */
    private BeirRetrievalEval.IndexedDocuments documents;

    /** Stores opened for this run, closed and deleted when it ends. */
    private final List<Runnable> cleanup = new ArrayList<>();

    @Override
    String name() {
        return "retrieval";
    }

    @Override
    EvalReport run() {
        Path data = beir != null ? beir : harness.datasets.resolve("scifact");
        ReportBuilder report = ReportBuilder.start(name(), harness.label)
                .configure("beir", data.toString()).configure("model", model).configure("split", split)
                .configure("instruction", instruction.name()).configure("indexes", indexes)
                .input("dataset", data.getFileName().toString(), data);
        List<List<Object>> rows = new ArrayList<>();
        Map<String, Object> results = new LinkedHashMap<>();
        for (String index : indexes) {
            System.err.println("[retrieval] " + index + " search over " + data);
            BeirRetrievalEval.Options options = new BeirRetrievalEval.Options(data, model, pooling, split, instruction,
                    cache, threads, 32);
            BeirRetrievalEval.Result r;
            try {
                r = BeirRetrievalEval.run(options, retriever(index));
            } finally {
                cleanup.forEach(Runnable::run);
                cleanup.clear();
            }
            report.encoder(r.model(), r.modelSha256());
            results.put(index, r);
            r.rows().forEach((queries, s) -> {
                String key = index + ", " + queries;
                rows.add(List.of(index, queries, s.ndcg10(), s.recall10(), s.recall100(), s.mrr10(), s.queries()));
                report.headline(Metric.higher("ndcg@10 (" + key + ")", s.ndcg10()));
                report.headline(Metric.higher("recall@100 (" + key + ")", s.recall100()));
                report.headline(Metric.higher("mrr@10 (" + key + ")", s.mrr10()));
            });
        }
        if (filterPartitions > 0) filtered(data, report, rows, results);
        report.metric("results", results);
        report.table(new Charts.Table("Retrieval on " + data.getFileName() + " (" + split + ")",
                List.of("index", "queries", "nDCG@10", "recall@10", "recall@100", "MRR@10", "judged queries"), rows));
        return report.finish();
    }

    /** The same indexes, searched with a partition filter (see {@link FilteredRetrieval}). */
    private void filtered(Path data, ReportBuilder report, List<List<Object>> rows, Map<String, Object> results) {
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
        for (String index : indexes) {
            FilteredRetrieval.Scores s;
            try {
                FilteredRetrieval.Ranker ranker = switch (index) {
                    case "exact" -> FilteredRetrieval.exact(documents.ids(), documents.vectors(), filterPartitions);
                    case "lucene" -> FilteredRetrieval.store(luceneStore(documents.vectors().getFirst().length),
                            documents.ids(), documents.texts(), documents.vectors(), filterPartitions);
                    default -> throw new IllegalArgumentException("unknown index '" + index + "'");
                };
                s = FilteredRetrieval.evaluate(dataset, queryVectors, ranker, filterPartitions);
            } finally {
                cleanup.forEach(Runnable::run);
                cleanup.clear();
            }
            String name = index + ", filtered";
            results.put(name, s);
            rows.add(List.of(name, queries, s.ndcg10(), s.recall10(), s.recall100(), s.mrr10(), s.queries()));
            report.headline(Metric.higher("ndcg@10 (" + name + ", " + queries + ")", s.ndcg10()));
        }
    }

    /** A Lucene HNSW store in a temporary folder, closed and deleted at the end of the pass. */
    private LuceneChunkStore luceneStore(int dimension) {
        Path dir = temporaryDirectory();
        LuceneChunkStore store = LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, dimension));
        cleanup.add(() -> {
            store.close();
            deleteTree(dir);
        });
        return store;
    }

    private Function<BeirRetrievalEval.IndexedDocuments, Retriever> retriever(String index) {
        return switch (index) {
            case "exact" -> docs -> {
                documents = docs;
                return new ExactSearch(docs.ids(), docs.vectors());
            };
            case "lucene" -> docs -> {
                documents = docs;
                LuceneChunkStore store = luceneStore(docs.vectors().getFirst().length);
                return ChunkStoreRetriever.index(store, docs.ids(), docs.texts(), docs.vectors());
            };
            default -> throw new IllegalArgumentException("unknown index '" + index + "' (exact, lucene)");
        };
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
