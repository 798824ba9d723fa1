package dev.ragline.evaluation.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragline.core.Chunk;
import dev.ragline.core.Encoder;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.evaluation.retrieval.ExactSearch;
import dev.ragline.generation.Citation;
import dev.ragline.generation.GroundedAnswer;
import dev.ragline.generation.GroundedPrompt;
import dev.ragline.generation.Answerer;
import dev.ragline.generation.GeneratorConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grounded QA on SQuAD 2.0 articles the embedded reader never saw: official EM/F1 split into answerable and
 * unanswerable, (a) with the gold paragraph as the only passage, (b) over the top-k paragraphs retrieved by
 * exact cosine search over encoder embeddings of all held-out paragraphs; plus faithfulness (answers that are
 * verbatim spans of their cited passages, cited passages that contain a gold answer) and the always-abstain
 * floor. Usage (exact command in generation/README.md):
 * <pre>SquadEval --squad ../shared/datasets/squad2/dev-shared.json [--model generation/models/ragline-reader-v1.gguf]
 *   [--k 3] [--encoder bge-small-en-v1.5-q] [--threads 2] [--limit N] [--out report.json] [--write-metrics]</pre>
 * The held-out articles are read from the model's provenance file, so the evaluation cannot drift from
 * the training split.
 */
public final class SquadEval {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    public record Options(Path squad, Path model, int k, String encoder, int threads, int limit, Path out, boolean writeMetrics) {
        static Options parse(String[] args) {
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
                String key = args[i].substring(2);
                if (key.equals("write-metrics")) m.put(key, "true");
                else if (i + 1 < args.length) m.put(key, args[++i]);
                else throw new IllegalArgumentException("--" + key + " needs a value");
            }
            if (!m.containsKey("squad")) throw new IllegalArgumentException("--squad FILE is required");
            return new Options(Path.of(m.get("squad")), Path.of(m.getOrDefault("model", DEFAULT_MODEL)),
                    Integer.parseInt(m.getOrDefault("k", "3")), m.getOrDefault("encoder", "bge-small-en-v1.5-q"),
                    Integer.parseInt(m.getOrDefault("threads", String.valueOf(Runtime.getRuntime().availableProcessors()))),
                    Integer.parseInt(m.getOrDefault("limit", "0")), m.containsKey("out") ? Path.of(m.get("out")) : null,
                    m.containsKey("write-metrics"));
        }
    }

    /** Faithfulness and cost counters for one mode. */
    static final class Faithfulness {
        int answered, verbatimInAllCited, uncited, citations, citationsWithGold, dropped;
        long promptTokens, millis;
        int n;

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("answered", answered);
            m.put("verbatim_span_of_cited_share", share(verbatimInAllCited, answered));
            m.put("answered_without_citation", uncited);
            m.put("citations", citations);
            m.put("cited_passage_contains_gold_share", share(citationsWithGold, citations));
            m.put("dropped_citations", dropped);
            m.put("mean_prompt_tokens", n == 0 ? 0 : promptTokens / n);
            m.put("mean_generate_ms", n == 0 ? 0 : millis / n);
            return m;
        }

        private static double share(int x, int n) {
            return n == 0 ? Double.NaN : Math.round(10000.0 * x / n) / 10000.0;
        }
    }

    private SquadEval() {
    }

    /** One question with its gold paragraph (as a chunk of the held-out index). */
    record Item(SquadDataset.Question question, Chunk gold) {
    }

    static List<Item> items(SquadDataset data, List<Chunk> index, int limit) {
        List<Item> all = new ArrayList<>();
        int p = 0;
        for (SquadDataset.Article a : data.articles())
            for (SquadDataset.Paragraph para : a.paragraphs()) {
                Chunk c = index.get(p++);
                for (SquadDataset.Question q : para.questions()) all.add(new Item(q, c));
            }
        if (limit <= 0 || limit >= all.size()) return all;
        List<Item> some = new ArrayList<>();
        for (int i = 0; i < limit; i++) some.add(all.get((int) ((long) i * all.size() / limit))); // evenly spread, deterministic
        return some;
    }

    /** Each paragraph becomes one chunk, as ingestion would store a short document. */
    static List<Chunk> index(SquadDataset data) {
        List<Chunk> chunks = new ArrayList<>();
        for (SquadDataset.Article a : data.articles()) {
            for (int i = 0; i < a.paragraphs().size(); i++) {
                String doc = a.title() + "#" + i;
                String text = a.paragraphs().get(i).context();
                chunks.add(new Chunk(Chunk.idFor(doc, 1, 0), doc, 1, 0, text, a.title().replace('_', ' '), "", 0, text.length(), Map.of()));
            }
        }
        return chunks;
    }

    /**
     * Runs both modes. {@code encoder} null skips the retrieved mode.
     *
     * @return the report: floor, gold, retrieved (each EM/F1 split and faithfulness)
     */
    public static Map<String, Object> evaluate(SquadDataset heldOut, Answerer answerer, Encoder encoder, int k, int limit) {
        return evaluate(heldOut, answerer, encoder, k, limit, null);
    }

    /**
     * As {@link #evaluate(SquadDataset, Answerer, Encoder, int, int)}, also writing every answer of the retrieved
     * mode (the gold mode without an encoder) to {@code answersOut} in the faithfulness suite's answers format,
     * when it is not null.
     */
    public static Map<String, Object> evaluate(SquadDataset heldOut, Answerer answerer, Encoder encoder, int k, int limit,
                                               Path answersOut) {
        List<Chunk> index = index(heldOut);
        List<Item> items = items(heldOut, index, limit);
        Map<String, Object> report = new LinkedHashMap<>();
        SquadMetrics.Totals floor = new SquadMetrics.Totals();
        items.forEach(it -> floor.add("", it.question().answers()));
        report.put("questions", items.size());
        report.put("always_abstain", floor.toMap());
        report.put("gold_paragraph", run(items, answerer, it -> List.of(it.gold()), encoder == null ? answersOut : null));
        if (encoder != null) {
            List<float[]> vectors = encoder.embedPassages(index.stream().map(Chunk::text).toList());
            Map<String, Chunk> byId = new HashMap<>();
            index.forEach(c -> byId.put(c.id(), c));
            ExactSearch search = new ExactSearch(index.stream().map(Chunk::id).toList(), vectors);
            int[] goldInTopK = {0};
            Map<String, Object> retrieved = run(items, answerer, it -> {
                List<Chunk> top = search.search(encoder.embedQuery(it.question().question()), k).stream().map(byId::get).toList();
                if (top.contains(it.gold())) goldInTopK[0]++;
                return top;
            }, answersOut);
            retrieved.put("k", k);
            retrieved.put("encoder", encoder.modelId());
            retrieved.put("gold_paragraph_recall_at_k", Math.round(10000.0 * goldInTopK[0] / items.size()) / 10000.0);
            report.put("retrieved", retrieved);
        }
        return report;
    }

    private static Map<String, Object> run(List<Item> items, Answerer answerer,
                                           java.util.function.Function<Item, List<Chunk>> passages, Path answersOut) {
        SquadMetrics.Totals totals = new SquadMetrics.Totals();
        Faithfulness f = new Faithfulness();
        int done = 0;
        List<String> answerLines = new ArrayList<>();
        for (Item it : items) {
            List<Chunk> shown = passages.apply(it);
            GroundedAnswer a = answerer.answer(it.question().question(), shown);
            if (answersOut != null) answerLines.add(answerLine(it, shown, a));
            totals.add(a.abstained() ? "" : a.answer(), it.question().answers());
            f.n++;
            f.promptTokens += a.promptTokens();
            f.millis += a.generateMillis();
            f.dropped += a.droppedCitations();
            if (!a.abstained()) {
                f.answered++;
                if (a.citations().isEmpty()) f.uncited++;
                else if (a.citations().stream().allMatch(Citation::verbatim)) f.verbatimInAllCited++;
                for (Citation c : a.citations()) {
                    f.citations++;
                    String cited = shown.stream().filter(ch -> ch.id().equals(c.chunkId())).findFirst().orElseThrow().text();
                    if (SquadMetrics.containsAnswer(cited, it.question().answers())) f.citationsWithGold++;
                }
            }
            if (++done % 200 == 0) System.err.printf("  %d/%d%n", done, items.size());
        }
        if (answersOut != null) {
            try {
                Files.write(answersOut, answerLines);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + answersOut, e);
            }
        }
        Map<String, Object> m = new LinkedHashMap<>(totals.toMap());
        m.putAll(f.toMap());
        return m;
    }

    /** One line of the faithfulness suite's answers file; citations are positions in {@code shown}, from 1. */
    private static String answerLine(Item it, List<Chunk> shown, GroundedAnswer a) {
        List<Map<String, String>> passages = shown.stream().map(c -> Map.of("id", c.id(), "text", c.text())).toList();
        List<Integer> cited = new ArrayList<>();
        for (Citation c : a.citations()) {
            for (int i = 0; i < shown.size(); i++) if (shown.get(i).id().equals(c.chunkId())) cited.add(i + 1);
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", it.question().id());
        line.put("question", it.question().question());
        // Markers in the text, as a decoder writes them: the faithfulness scorer reads a claim's own citations there.
        StringBuilder answer = new StringBuilder(a.abstained() ? GroundedPrompt.ABSTAIN : a.answer());
        if (!a.abstained()) cited.forEach(n -> answer.append(" [").append(n).append(']'));
        line.put("answer", answer.toString());
        line.put("passages", passages);
        line.put("citations", cited);
        try {
            return COMPACT.writeValueAsString(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bundled reader, as a path inside the repository (its provenance names the held-out articles). */
    public static final String DEFAULT_MODEL = "generation/models/ragline-reader-bge-small-v2.onnx";

    /** An answerer for a model file: a reader {@code .onnx} (tokenizer and provenance beside it) or a GGUF decoder. */
    public static Answerer openAnswerer(Path model, int threads) {
        String name = model.getFileName().toString();
        GeneratorConfig.Backend backend = name.endsWith(".gguf") ? GeneratorConfig.Backend.EMBEDDED : GeneratorConfig.Backend.READER;
        if (backend == GeneratorConfig.Backend.READER && !name.endsWith(".onnx"))
            throw new IllegalArgumentException("model " + model + " is neither a reader .onnx nor a .gguf decoder");
        return new GeneratorConfig(backend, null, null, null, model, 0, threads, null).openAnswerer(64, true);
    }

    /** NAME.provenance.json beside a model NAME.onnx or NAME.gguf. */
    public static Path provenancePath(Path model) {
        return model.resolveSibling(model.getFileName().toString().replaceFirst("\\.(gguf|onnx)$", "") + ".provenance.json");
    }

    public static void main(String[] args) {
        int status = 0;
        try {
            Options o = Options.parse(args);
            Path provenance = provenancePath(o.model());
            JsonNode prov = JSON.readTree(provenance.toFile());
            Set<String> heldOut = new LinkedHashSet<>();
            prov.get("heldOutArticles").forEach(t -> heldOut.add(t.asText()));
            SquadDataset data = SquadDataset.read(o.squad()).only(heldOut);
            System.err.printf("held-out articles %s: %d questions%n", heldOut, data.questionCount());
            Map<String, Object> report;
            try (Answerer answerer = openAnswerer(o.model(), o.threads());
                 var encoder = Encoders.open(EncoderConfig.of(o.encoder()))) {
                report = new LinkedHashMap<>();
                report.put("model", o.model().getFileName().toString());
                report.put("heldOutArticles", List.copyOf(heldOut));
                report.putAll(evaluate(data, answerer, encoder, o.k(), o.limit()));
            }
            String text = JSON.writeValueAsString(report);
            System.out.println(text);
            if (o.out() != null) Files.writeString(o.out(), text);
            if (o.writeMetrics()) {
                ((ObjectNode) prov).set("heldOutEvaluation", JSON.valueToTree(report));
                Files.writeString(provenance, JSON.writeValueAsString(prov));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            status = 2;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.exit(status); // llama.cpp leaves a native thread that keeps the JVM alive
    }
}
