package dev.ragline.evaluation.report;

import dev.ragline.core.Provenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/** Collects one run's configuration, provenance, metrics and charts while a suite runs, then builds the report. */
public final class ReportBuilder {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final String suite;
    private final String label;
    private final Instant startedAt;
    private final String runId;
    private final Map<String, Object> configuration = new LinkedHashMap<>();
    private final List<RunProvenance.Input> inputs = new ArrayList<>();
    private final List<EvalReport.Metric> headline = new ArrayList<>();
    private final Map<String, Object> metrics = new LinkedHashMap<>();
    private final List<Charts.Reliability> reliability = new ArrayList<>();
    private final List<Charts.Curve> curves = new ArrayList<>();
    private final List<Charts.Confusion> confusion = new ArrayList<>();
    private final List<Charts.Table> tables = new ArrayList<>();
    private final List<Charts.Histogram> histograms = new ArrayList<>();
    private String encoderModel;
    private String encoderSha256;

    public ReportBuilder(String suite, String label, Instant startedAt) {
        this.suite = suite;
        this.label = label;
        this.startedAt = startedAt;
        this.runId = ID_TIME.format(startedAt) + "-" + suite + "-"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(1 << 16));
    }

    public static ReportBuilder start(String suite, String label) {
        return new ReportBuilder(suite, label, Instant.now());
    }

    public String runId() {
        return runId;
    }

    public ReportBuilder configure(String key, Object value) {
        configuration.put(key, value);
        return this;
    }

    /** Records a dataset, model or artifact read by the run, with its checksum (a folder: every file's). */
    public ReportBuilder input(String kind, String name, Path path) {
        inputs.add(new RunProvenance.Input(kind, name, path.toString(), sha256(path)));
        return this;
    }

    public ReportBuilder encoder(String modelId, String modelSha256) {
        this.encoderModel = modelId;
        this.encoderSha256 = modelSha256;
        return this;
    }

    public ReportBuilder headline(EvalReport.Metric metric) {
        headline.add(metric);
        return this;
    }

    public ReportBuilder metric(String key, Object value) {
        metrics.put(key, value);
        return this;
    }

    public ReportBuilder reliability(Charts.Reliability chart) {
        reliability.add(chart);
        return this;
    }

    public ReportBuilder curve(Charts.Curve chart) {
        curves.add(chart);
        return this;
    }

    public ReportBuilder confusion(Charts.Confusion chart) {
        confusion.add(chart);
        return this;
    }

    public ReportBuilder table(Charts.Table chart) {
        tables.add(chart);
        return this;
    }

    public ReportBuilder histogram(Charts.Histogram chart) {
        histograms.add(chart);
        return this;
    }

    public EvalReport finish() {
        RunProvenance provenance = new RunProvenance(Git.commit(), Git.dirty(), encoderModel, encoderSha256, inputs,
                Runtime.version().toString());
        return new EvalReport(EvalReport.SCHEMA_VERSION, runId, suite, label, startedAt.toString(),
                Instant.now().toString(), configuration, provenance, headline, metrics,
                new Charts(reliability, curves, confusion, tables, histograms));
    }

    /** SHA-256 of a file, or of a folder as the sorted lines {@code relative-path  file-sha256}. */
    public static String sha256(Path path) {
        if (Files.isRegularFile(path)) return Provenance.sha256(path);
        if (!Files.isDirectory(path)) throw new IllegalArgumentException("no such file or folder: " + path);
        StringBuilder listing = new StringBuilder();
        try (Stream<Path> files = Files.walk(path)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList())
                listing.append(path.relativize(f).toString().replace('\\', '/')).append("  ")
                        .append(Provenance.sha256(f)).append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + path, e);
        }
        return Provenance.sha256(listing.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The git state of the working directory, when git and a checkout are there. */
    static final class Git {
        private Git() {
        }

        static String commit() {
            String out = run("git", "rev-parse", "HEAD");
            return out == null || out.isBlank() ? null : out.strip();
        }

        static Boolean dirty() {
            String out = run("git", "status", "--porcelain", "--untracked-files=no");
            return out == null ? null : !out.isBlank();
        }

        private static String run(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(false)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return p.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                return null; // no git on this machine: provenance says so with a null commit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
