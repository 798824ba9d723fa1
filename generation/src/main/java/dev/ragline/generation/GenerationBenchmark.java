package dev.ragline.generation;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import dev.ragline.core.Chunk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Speed of the embedded reader on this machine: decode tokens/s, prompt-processing tokens/s, and grounded-answer
 * latency with 1 and 3 passages, constrained (span grammar) and not. Prints its figures; asserts nothing.
 * <pre>GenerationBenchmark [model.gguf] [threads] [rounds]</pre>
 */
public final class GenerationBenchmark {
    private static final String TEXT = "The Rhine is a European river that begins in the Swiss canton of Graubünden in the "
            + "southeastern Swiss Alps, forms part of the Swiss-Austrian, Swiss-Liechtenstein border, Swiss-German and then "
            + "the Franco-German border, then flows through the Rhineland and eventually empties into the North Sea in the "
            + "Netherlands. The biggest city on the river Rhine is Cologne, Germany with a population of more than "
            + "1,050,000 people. It is the second-longest river in Central and Western Europe, at about 1,230 km.";

    private GenerationBenchmark() {
    }

    public static void main(String[] args) {
        Path model = Path.of(args.length > 0 ? args[0] : "models/ragline-reader-v1.gguf");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf("model %s, %d threads, %d rounds, %d cores%n", model, threads, rounds, Runtime.getRuntime().availableProcessors());
        rawSpeeds(model, threads, rounds);
        answerLatency(model, threads, rounds);
        System.exit(0); // llama.cpp keeps a native thread alive
    }

    /** Decode: 256 tokens from a short prompt, end token ignored. Prompt processing: a ~800-token prompt, 1 token out. */
    private static void rawSpeeds(Path model, int threads, int rounds) {
        try (LlamaModel m = new LlamaModel(new ModelParameters().setModel(model.toString()).setCtxSize(1024)
                .setThreads(threads).setThreadsBatch(threads))) {
            String longPrompt = (TEXT + " ").repeat(5);
            int promptTokens = m.encode(longPrompt).length;
            m.complete(new InferenceParameters("warm up").setNPredict(8).setTemperature(0f));
            double decode = 0, prefill = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                int n = 0;
                for (var ignored : m.generate(new InferenceParameters("The Rhine").setNPredict(256).setIgnoreEos(true)
                        .setTemperature(0f).setCachePrompt(false))) n++;
                decode += n / ((System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                m.complete(new InferenceParameters(longPrompt).setNPredict(1).setTemperature(0f).setCachePrompt(false));
                prefill += promptTokens / ((System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("decode: %.0f tokens/s (256 tokens after a 3-token prompt, mean of %d)%n", decode / rounds, rounds);
            System.out.printf("prompt processing: %.0f tokens/s (%d-token prompt, mean of %d)%n", prefill / rounds, promptTokens, rounds);
        }
    }

    private static void answerLatency(Path model, int threads, int rounds) {
        try (LlamaGenerator reader = new LlamaGenerator(LlamaConfig.reader(model).withThreads(threads))) {
            List<Chunk> passages = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String text = TEXT.substring(i * 40) + " " + TEXT.substring(0, i * 40);
                passages.add(new Chunk(Chunk.idFor("bench", 1, i), "bench", 1, i, text, "Rhine", "", 0, text.length(), Map.of()));
            }
            for (boolean constrained : new boolean[]{true, false}) {
                GroundedAnswerer answerer = new GroundedAnswerer(reader, GroundedAnswerer.DEFAULT_MAX_ANSWER_TOKENS, constrained);
                for (int k : new int[]{1, 3}) {
                    answerer.answer("What is the biggest city on the Rhine?", passages.subList(0, k)); // warm-up
                    long total = 0;
                    GroundedAnswer last = null;
                    for (int r = 0; r < rounds; r++) {
                        long t0 = System.nanoTime();
                        last = answerer.answer("What is the biggest city on the Rhine?", passages.subList(0, k));
                        total += System.nanoTime() - t0;
                    }
                    System.out.printf("grounded answer, %d passage(s), %s: %.0f ms mean (prompt %d tokens, %d generated; answer: %s)%n",
                            k, constrained ? "span grammar" : "unconstrained", total / 1e6 / rounds, last.promptTokens(),
                            last.completionTokens(), last.rawOutput().strip());
                }
            }
        }
    }
}
