package dev.ragline.generation.reader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Milliseconds per read for one or more reader models side by side: one question against three passages of about
 * 150 tokens each (what GENERATE reads with top-3 retrieval), the models taking turns in every round so that a
 * machine shared with other jobs slows them alike. Prints mean, median and p95 per model; asserts nothing.
 * Each model is {@code NAME.onnx} with {@code NAME.tokenizer.json} and {@code NAME.provenance.json} beside it.
 * <pre>ReaderBenchmark rounds threads models/NAME.onnx [other/NAME.onnx ...]</pre>
 */
public final class ReaderBenchmark {
    private static final String TEXT = "The Rhine is a European river that begins in the Swiss canton of Graubünden in the "
            + "southeastern Swiss Alps, forms part of the Swiss-Austrian, Swiss-Liechtenstein border, Swiss-German and then "
            + "the Franco-German border, then flows through the Rhineland and eventually empties into the North Sea in the "
            + "Netherlands. The biggest city on the river Rhine is Cologne, Germany with a population of more than "
            + "1,050,000 people. It is the second-longest river in Central and Western Europe, at about 1,230 km.";
    private static final String QUESTION = "What is the biggest city on the Rhine?";

    private ReaderBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 3) throw new IllegalArgumentException("usage: ReaderBenchmark rounds threads model.onnx [model.onnx ...]");
        int rounds = Integer.parseInt(args[0]), threads = Integer.parseInt(args[1]);
        List<String> passages = new ArrayList<>();
        for (int i = 0; i < 3; i++) passages.add(TEXT.substring(i * 40) + " " + TEXT.substring(0, i * 40));
        List<ExtractiveReader> readers = new ArrayList<>();
        try {
            for (int m = 2; m < args.length; m++) {
                Path model = Path.of(args[m]);
                String base = model.getFileName().toString().replaceFirst("\\.onnx$", "");
                readers.add(ExtractiveReader.open(model, model.resolveSibling(base + ".tokenizer.json"),
                        ReaderSettings.read(model.resolveSibling(base + ".provenance.json")), threads));
            }
            for (ExtractiveReader r : readers) r.read(QUESTION, passages); // warm-up
            double[][] ms = new double[readers.size()][rounds];
            int tokens = 0;
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < readers.size(); m++) {
                    long t0 = System.nanoTime();
                    tokens = readers.get(m).read(QUESTION, passages).tokens();
                    ms[m][round] = (System.nanoTime() - t0) / 1e6;
                }
            }
            System.out.printf("%d rounds, %d threads, %d cores, one question against 3 passages (%d tokens read)%n",
                    rounds, threads, Runtime.getRuntime().availableProcessors(), tokens);
            for (int m = 0; m < readers.size(); m++) {
                double[] x = ms[m].clone();
                Arrays.sort(x);
                System.out.printf("%s: mean %.1f ms, median %.1f ms, p95 %.1f ms per read%n", readers.get(m).modelId(),
                        Arrays.stream(x).average().orElse(0), x[x.length / 2], x[(int) Math.ceil(0.95 * x.length) - 1]);
            }
        } finally {
            readers.forEach(ExtractiveReader::close);
        }
    }
}
