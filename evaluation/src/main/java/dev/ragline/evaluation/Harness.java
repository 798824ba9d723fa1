package dev.ragline.evaluation;

import dev.ragline.evaluation.report.EvalReport;
import dev.ragline.evaluation.report.HtmlExport;
import dev.ragline.evaluation.report.ReportRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The evaluation harness: one sub-command per suite, and {@code all}. Every run writes
 * {@code <reports>/<runId>.json} (and with {@code --html} a self-contained {@code <runId>.html}).
 */
@Command(name = "harness", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs Ragline's evaluation suites and writes one JSON report per run.",
        subcommands = {RetrievalSuite.class, ClassificationSuite.class, RoutingSuite.class, GenerationSuite.class,
                FaithfulnessSuite.class, AllSuites.class, ServeCommand.class, CommandLine.HelpCommand.class})
public final class Harness {

    @Option(names = "--reports", defaultValue = "evaluation-reports", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path reports;

    @Option(names = "--datasets", defaultValue = "../shared/datasets",
            description = "Root of the datasets, for suites whose paths are not given (default: ${DEFAULT-VALUE}).")
    Path datasets;

    @Option(names = "--html", description = "Also write a self-contained HTML export of each report.")
    boolean html;

    @Option(names = "--label", description = "Free-text label stored with the run, shown by the dashboard.")
    String label;

    public static void main(String[] args) throws InterruptedException {
        // ONNX Runtime 1.29's native code overflowed the default 1 MB main-thread stack (SIGSEGV, exit 139; the
        // build now pins 1.23.2): run on a thread with a large stack anyway, whatever -Xss the JVM was given.
        int[] status = {1};
        Thread worker = new Thread(null, () -> status[0] = commandLine().execute(args), "harness", 256L << 20);
        worker.start();
        worker.join();
        // Exit explicitly: native libraries (llama.cpp, ONNX Runtime) may leave threads that keep the JVM alive.
        System.exit(status[0]);
    }

    static CommandLine commandLine() {
        return new CommandLine(new Harness()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // A user's mistake (a missing file, a bad option value) gets its message, not a stack trace.
                    cmd.getErr().println("error: " + e.getMessage());
                    if (!(e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                            || e instanceof dev.ragline.classifier.IncompatibleArtifactException))
                        e.printStackTrace(cmd.getErr());
                    return 2;
                });
    }

    /** Writes the report (and HTML export) and prints where, with the headline numbers. */
    Path publish(EvalReport report) {
        Path json = new ReportRepository(reports).write(report);
        System.out.println(report.suite() + " run " + report.runId() + " -> " + json);
        for (EvalReport.Metric m : report.headline())
            System.out.printf("  %-40s %.4f%n", m.name(), m.value());
        if (html) System.out.println("  html: " + HtmlExport.write(report, reports.resolve(report.runId() + ".html")));
        return json;
    }

    /** A suite: builds one report. Sub-commands extend this and add their own options. */
    abstract static class Suite implements Callable<Integer> {
        @CommandLine.ParentCommand
        Harness harness;

        abstract String name();

        abstract EvalReport run() throws Exception;

        @Override
        public Integer call() throws Exception {
            harness.publish(run());
            return 0;
        }
    }
}
