package dev.ragline.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.evaluation.qa.SquadDataset;
import dev.ragline.evaluation.qa.SquadEval;
import dev.ragline.evaluation.report.Charts;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.EvalReport.Metric;
import dev.ragline.evaluation.report.ReportBuilder;
import dev.ragline.generation.Answerer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grounded generation on held-out SQuAD 2.0 articles through the generation engineer's {@link SquadEval}: EM/F1
 * (answerable and unanswerable) over the gold paragraph and over top-k retrieved paragraphs, plus abstention
 * precision and recall derived from its counts.
 */
@Command(name = "generation", description = "SQuAD EM/F1 (HasAns/NoAns), abstention precision/recall, on the decoder's held-out articles.")
final class GenerationSuite extends Harness.Suite {

    @Option(names = "--squad", description = "SQuAD JSON (default: <datasets>/squad2/dev-shared.json).")
    Path squad;

    @Option(names = "--model", defaultValue = SquadEval.DEFAULT_MODEL,
            description = "Reader .onnx or GGUF decoder, with its .provenance.json beside it (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--articles", split = ",", description = "Held-out article titles (default: heldOutArticles of the model's .provenance.json).")
    List<String> articles;

    @Option(names = "--k", defaultValue = "3", description = "Retrieved paragraphs per question (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--encoder", defaultValue = "bge-small-en-v1.5-q", description = "Encoder for the retrieved mode (default: ${DEFAULT-VALUE}).")
    String encoderModel;

    @Option(names = "--limit", defaultValue = "300", description = "Questions, spread evenly over the held-out set (0 = all; default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Option(names = "--answers-out", description = "Write the retrieved mode's answers here as JSONL, for `faithfulness --answers`.")
    Path answersOut;

    @Override
    String name() {
        return "generation";
    }

    @Override
    EvalReport run() {
        Path squadFile = squad != null ? squad : harness.datasets.resolve("squad2/dev-shared.json");
        Set<String> heldOut = articles != null ? new LinkedHashSet<>(articles) : heldOutArticles(model);
        SquadDataset data = SquadDataset.read(squadFile).only(heldOut);
        ReportBuilder report = ReportBuilder.start(name(), harness.label)
                .configure("squad", squadFile.toString()).configure("model", model.toString())
                .configure("heldOutArticles", List.copyOf(heldOut)).configure("k", k).configure("limit", limit)
                .configure("encoder", encoderModel)
                .input("dataset", "squad", squadFile).input("model", model.getFileName().toString().endsWith(".gguf") ? "decoder" : "reader", model);
        Map<String, Object> result;
        System.err.printf("[generation] %d held-out questions, %s%n", data.questionCount(),
                limit > 0 ? limit + " of them" : "all of them");
        try (Answerer answerer = SquadEval.openAnswerer(model, threads);
             OnnxEncoder encoder = Encoders.open(EncoderConfig.of(encoderModel))) {
            report.encoder(encoder.modelId(), encoder.modelSha256());
            result = SquadEval.evaluate(data, answerer, encoder, k, limit, answersOut);
        }
        report.metric("squad", result);
        List<List<Object>> rows = new ArrayList<>();
        if (result.get("always_abstain") instanceof Map<?, ?> floor)
            ClassificationSuite.number(floor, "exact").ifPresent(v -> report.headline(Metric.neutral("EM always-abstain floor", v)));
        for (String mode : List.of("gold_paragraph", "retrieved")) {
            if (!(result.get(mode) instanceof Map<?, ?> m)) continue;
            Abstention a = Abstention.of(m);
            for (String key : List.of("exact", "f1", "HasAns_exact", "HasAns_f1", "NoAns_exact", "NoAns_f1"))
                ClassificationSuite.number(m, key).ifPresent(v -> report.headline(Metric.higher(key + " (" + mode + ")", v)));
            if (a.precision() != null) report.headline(Metric.higher("abstention precision (" + mode + ")", a.precision()));
            if (a.recall() != null) report.headline(Metric.higher("abstention recall (" + mode + ")", a.recall()));
            rows.add(Arrays.asList(mode, m.get("exact"), m.get("f1"), m.get("HasAns_exact"), m.get("HasAns_f1"),
                    m.get("NoAns_exact"), m.get("NoAns_f1"), a.precision(), a.recall(),
                    m.get("verbatim_span_of_cited_share"), m.get("cited_passage_contains_gold_share")));
        }
        report.table(new Charts.Table("SQuAD 2.0, held-out articles (EM/F1 in %)", List.of("passages", "EM", "F1",
                "HasAns EM", "HasAns F1", "NoAns EM", "NoAns F1", "abstention precision", "abstention recall",
                "answers verbatim in cited passages", "cited passages containing the answer"), rows));
        return report.finish();
    }

    /**
     * Abstention precision (abstentions on unanswerable questions / abstentions) and recall (/ unanswerable
     * questions), from SquadEval's counts: an abstention scores EM 100 exactly on an unanswerable question, so
     * abstained-unanswerable = NoAns_exact x NoAns_total, and abstentions = total - answered.
     */
    record Abstention(Double precision, Double recall) {
        static Abstention of(Map<?, ?> m) {
            double total = ((Number) m.get("total")).doubleValue(), answered = ((Number) m.get("answered")).doubleValue();
            double noAns = ((Number) m.get("NoAns_total")).doubleValue();
            double noAnsExact = m.get("NoAns_exact") instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() / 100 : 0;
            double abstainedRight = Math.round(noAnsExact * noAns);
            double abstained = total - answered;
            return new Abstention(abstained == 0 ? null : abstainedRight / abstained, noAns == 0 ? null : abstainedRight / noAns);
        }
    }

    private static Set<String> heldOutArticles(Path model) {
        Path provenance = SquadEval.provenancePath(model);
        if (!Files.isRegularFile(provenance))
            throw new IllegalArgumentException("no " + provenance + " naming the held-out articles: give --articles");
        try {
            JsonNode titles = new ObjectMapper().readTree(provenance.toFile()).path("heldOutArticles");
            Set<String> out = new LinkedHashSet<>();
            titles.forEach(t -> out.add(t.asText()));
            if (out.isEmpty()) throw new IllegalArgumentException(provenance + " has no heldOutArticles: give --articles");
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + provenance, e);
        }
    }
}
