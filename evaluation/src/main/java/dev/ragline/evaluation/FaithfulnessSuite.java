package dev.ragline.evaluation;

import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.evaluation.faithfulness.AnswersFile;
import dev.ragline.evaluation.faithfulness.CrossEncoderJudge;
import dev.ragline.evaluation.faithfulness.EmbeddingJudge;
import dev.ragline.evaluation.faithfulness.FaithfulnessScorer;
import dev.ragline.evaluation.faithfulness.GeneratedAnswer;
import dev.ragline.evaluation.faithfulness.JudgeBenchmark;
import dev.ragline.evaluation.faithfulness.LexicalJudge;
import dev.ragline.evaluation.faithfulness.LlmJudge;
import dev.ragline.evaluation.faithfulness.SupportJudge;
import dev.ragline.evaluation.qa.SquadDataset;
import dev.ragline.evaluation.report.Charts;
import dev.ragline.generation.LlamaGenerator;
import dev.ragline.generation.OpenAiCompatibleServer;
import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.EvalReport.Metric;
import dev.ragline.evaluation.report.ReportBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Faithfulness: measures the judges on a labelled set built from SQuAD (AUROC each), and, given an answers file,
 * scores those answers claim by claim (supported share, citation precision and recall).
 */
@Command(name = "faithfulness", description = "Judge benchmark on SQuAD (AUROC per judge); with --answers, scores generated answers.")
final class FaithfulnessSuite extends Harness.Suite {

    @Option(names = "--squad", description = "SQuAD JSON (default: <datasets>/squad2/dev-shared.json).")
    Path squad;

    @Option(names = "--questions", defaultValue = "300", description = "Questions sampled for the labelled set (default: ${DEFAULT-VALUE}).")
    int questions;

    @Option(names = "--seed", defaultValue = "7")
    long seed;

    @Option(names = "--judges", split = ",", defaultValue = "lexical,embedding",
            description = "Judges to measure: lexical, embedding, cross-encoder (needs --cross-encoder), llm (needs --llm-base-url or --llm-embedded) (default: ${DEFAULT-VALUE}).")
    List<String> judges;

    @Option(names = "--answers", description = "JSONL of generated answers to score (see README).")
    Path answers;

    @Option(names = "--answer-judge", defaultValue = "lexical", description = "Judge used on --answers (default: ${DEFAULT-VALUE}).")
    String answerJudge;

    @Option(names = "--abstain-phrase", description = "Answers equal to this are abstentions (repeatable).",
            defaultValue = "The passages do not contain the answer.")
    List<String> abstainPhrases;

    @Option(names = "--lexical-threshold", defaultValue = "0.8")
    double lexicalThreshold;

    @Option(names = "--encoder", description = "Encoder of the embedding judge (default: ${DEFAULT-VALUE}).")
    String encoderModel = EncoderConfig.DEFAULT_MODEL;

    @Option(names = "--embedding-threshold", defaultValue = "0.85")
    double embeddingThreshold;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX intra-op threads (0 = runtime default).")
    int threads;

    @Option(names = "--cross-encoder", description = "Folder of an ONNX NLI cross-encoder (model.onnx, tokenizer.json, config.json) for the cross-encoder judge.")
    Path crossEncoder;

    @Option(names = "--cross-encoder-threshold", defaultValue = "0.5")
    double crossEncoderThreshold;

    /** Opened on first use (only the embedding judge needs it), closed when the run ends. */
    private OnnxEncoder encoder;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @Option(names = "--llm-base-url", description = "OpenAI-compatible endpoint for the LLM judge, for example http://127.0.0.1:8080/v1.")
    String llmBaseUrl;

    @Option(names = "--llm-model", defaultValue = "default")
    String llmModel;

    @Option(names = "--llm-embedded", description = "Judge with the platform's embedded GGUF reader behind its OpenAI-compatible endpoint (started on 127.0.0.1).")
    boolean llmEmbedded;

    @Option(names = "--llm-api-key", defaultValue = "none", description = "API key (default: ${DEFAULT-VALUE}); prefer the RAGLINE_LLM_API_KEY variable.")
    String llmApiKey;

    @Option(names = "--llm-max-examples", defaultValue = "0",
            description = "Judge at most this many labelled examples with the LLM (0 = all); it is the slow judge.")
    int llmMaxExamples;

    @Override
    String name() {
        return "faithfulness";
    }

    @Override
    EvalReport run() {
        try {
            return evaluate();
        } finally {
            if (encoder != null) encoder.close();
            for (AutoCloseable c : opened) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
    }

    private EvalReport evaluate() {
        Path squadFile = squad != null ? squad : harness.datasets.resolve("squad2/dev-shared.json");
        ReportBuilder report = ReportBuilder.start(name(), harness.label)
                .configure("squad", squadFile.toString()).configure("questions", questions).configure("seed", seed)
                .configure("judges", judges).configure("abstainPhrases", abstainPhrases)
                .configure("lexicalThreshold", lexicalThreshold).configure("embeddingThreshold", embeddingThreshold)
                .configure("encoder", encoderModel)
                .input("dataset", "squad", squadFile);

        List<JudgeBenchmark.Example> examples =
                JudgeBenchmark.build(SquadDataset.read(squadFile), questions, seed);
        Map<String, Long> composition = new LinkedHashMap<>();
        for (JudgeBenchmark.Example e : examples) composition.merge(e.kind(), 1L, Long::sum);
        report.metric("labelledSet", composition);

        List<Map<String, Object>> judgeMetrics = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (String judgeName : judges) {
            SupportJudge judge = judge(judgeName, report);
            List<JudgeBenchmark.Example> set = judge instanceof LlmJudge && llmMaxExamples > 0
                    ? examples.subList(0, Math.min(llmMaxExamples, examples.size())) : examples;
            JudgeBenchmark.JudgeResult r = JudgeBenchmark.evaluate(judge, set, Progress::stderr);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("judge", r.judge());
            m.put("examples", r.examples());
            m.put("auroc", r.auroc());
            m.put("aurocByKind", r.aurocByKind());
            m.put("threshold", r.threshold());
            m.put("accuracyAtThreshold", r.accuracy());
            m.put("millisPerClaim", r.meanMillisPerClaim());
            if (judge instanceof LlmJudge llm) {
                m.put("unparseableReplies", llm.unparseable());
                m.put("rejectedRequests", llm.rejected());
            }
            judgeMetrics.add(m);
            report.headline(Metric.higher("auroc." + r.judge(), r.auroc()));
            rows.add(java.util.Arrays.asList(r.judge(), r.examples(), round(r.auroc()),
                    round(r.aurocByKind().getOrDefault(JudgeBenchmark.WRONG_PASSAGE, Double.NaN)),
                    round(r.aurocByKind().getOrDefault(JudgeBenchmark.ALTERED_FACT, Double.NaN)),
                    round(r.accuracy()), round(r.meanMillisPerClaim())));
            boolean[] positive = new boolean[set.size()];
            for (int i = 0; i < set.size(); i++) positive[i] = set.get(i).supported();
            report.curve(new Charts.Curve("ROC: " + r.judge(), "false positive rate", "true positive rate",
                    JudgeBenchmark.roc(r.scores(), positive)));
            report.histogram(scoreHistogram(r, positive));
        }
        report.metric("judges", judgeMetrics);
        report.table(new Charts.Table("Judges on the SQuAD-derived labelled set",
                List.of("judge", "examples", "AUROC", "AUROC wrong passage", "AUROC altered fact",
                        "accuracy at threshold", "ms per claim"), rows));

        if (answers != null) scoreAnswers(report);
        return report.finish();
    }

    private void scoreAnswers(ReportBuilder report) {
        report.configure("answers", answers.toString()).configure("answerJudge", answerJudge)
                .input("dataset", "answers", answers);
        List<GeneratedAnswer> list = AnswersFile.read(answers);
        FaithfulnessScorer scorer = new FaithfulnessScorer(judge(answerJudge, report), Set.copyOf(abstainPhrases));
        List<FaithfulnessScorer.AnswerScore> scores = new ArrayList<>();
        try (Progress progress = Progress.stderr("answers", list.size())) {
            for (GeneratedAnswer a : list) {
                scores.add(scorer.score(a));
                progress.step();
            }
        }
        FaithfulnessScorer.Summary s = scorer.summarize(scores);
        report.metric("answers", s);
        if (s.supportedShare() != null) report.headline(Metric.higher("supportedShare", s.supportedShare()));
        if (s.citationPrecision() != null) report.headline(Metric.higher("citationPrecision", s.citationPrecision()));
        if (s.citationRecall() != null) report.headline(Metric.higher("citationRecall", s.citationRecall()));
        double[] shares = s.answerShares().stream().mapToDouble(Double::doubleValue).toArray();
        report.histogram(new Charts.Histogram("Supported share of claims per answer (" + s.judge() + ")",
                "supported share", Charts.Histogram.edges(10, 0, 1),
                List.of(Charts.Histogram.count("answers", shares, 10, 0, 1))));
    }

    private static Charts.Histogram scoreHistogram(JudgeBenchmark.JudgeResult r, boolean[] positive) {
        List<Double> sup = new ArrayList<>(), uns = new ArrayList<>();
        for (int i = 0; i < positive.length; i++) (positive[i] ? sup : uns).add(r.scores()[i]);
        double lo = Math.min(0, java.util.Arrays.stream(r.scores()).min().orElse(0));
        return new Charts.Histogram("Judge scores: " + r.judge(), "score", Charts.Histogram.edges(20, lo, 1),
                List.of(Charts.Histogram.count("supported", sup.stream().mapToDouble(Double::doubleValue).toArray(), 20, lo, 1),
                        Charts.Histogram.count("unsupported", uns.stream().mapToDouble(Double::doubleValue).toArray(), 20, lo, 1)));
    }

    SupportJudge judge(String name, ReportBuilder report) {
        return switch (name) {
            case "lexical" -> new LexicalJudge(lexicalThreshold);
            case "embedding" -> {
                if (encoder == null) {
                    encoder = Encoders.open(EncoderConfig.of(encoderModel).withIntraOpThreads(threads));
                    report.encoder(encoder.modelId(), encoder.modelSha256());
                }
                yield new EmbeddingJudge(encoder, embeddingThreshold);
            }
            case "cross-encoder" -> {
                if (crossEncoder == null) throw new IllegalArgumentException("the cross-encoder judge needs --cross-encoder DIR");
                CrossEncoderJudge judge = CrossEncoderJudge.open(crossEncoder, crossEncoderThreshold);
                opened.add(judge);
                report.input("model", "cross-encoder", crossEncoder.resolve("model.onnx"));
                yield judge;
            }
            case "llm" -> {
                String baseUrl = llmBaseUrl, model = llmModel;
                if (llmEmbedded) {
                    // The platform's own decoder behind its OpenAI-compatible endpoint: a real HTTP round trip.
                    LlamaGenerator reader = LlamaGenerator.bundledReader(Math.max(1, threads));
                    OpenAiCompatibleServer server = OpenAiCompatibleServer.start(reader, "127.0.0.1", 0);
                    opened.add(server);
                    opened.add(reader);
                    baseUrl = server.baseUrl();
                    model = "ragline-reader-v1";
                } else if (baseUrl == null) {
                    throw new IllegalArgumentException("the llm judge needs --llm-base-url URL or --llm-embedded");
                }
                String key = System.getenv().getOrDefault("RAGLINE_LLM_API_KEY", llmApiKey);
                report.configure("llm", Map.of("baseUrl", baseUrl, "model", model, "embedded", llmEmbedded));
                yield new LlmJudge(OpenAiChatModel.builder().baseUrl(baseUrl).modelName(model).apiKey(key)
                        .temperature(0.0).maxTokens(8).timeout(Duration.ofMinutes(2)).build(), "llm:" + model);
            }
            default -> throw new IllegalArgumentException("unknown judge '" + name + "' (lexical, embedding, cross-encoder, llm)");
        };
    }

    private static Object round(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 10000) / 10000.0;
    }
}
