package dev.ragline.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reports kept as {@code <runId>.json} files in one directory. Backs {@code GET /v1/eval/reports} (see
 * {@link #list()}) and {@code GET /v1/eval/reports/{id}} (see {@link #readJson(String)}). Thread-safe: it keeps no
 * state besides the directory.
 */
public final class ReportRepository {
    private static final Logger LOG = LoggerFactory.getLogger(ReportRepository.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    private final Path directory;

    public ReportRepository(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    public Path directory() {
        return directory;
    }

    /** Whether an id can name a report file: letters, digits, '.', '_' and '-', not starting with '.'. */
    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches() && !id.contains("..");
    }

    /**
     * Summaries of every readable report, newest first. A file that is not a report is logged and left out, so
     * one broken file does not hide the others. A missing directory is an empty list.
     */
    public List<ReportSummary> list() {
        if (!Files.isDirectory(directory)) return List.of();
        List<ReportSummary> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    out.add(parse(Files.readString(file), file.toString()).summary());
                } catch (IOException | IllegalArgumentException e) {
                    LOG.warn("skipping {}: not a readable report ({})", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        out.sort(Comparator.comparing((ReportSummary s) -> s.startedAt() == null ? "" : s.startedAt())
                .thenComparing(ReportSummary::runId).reversed());
        return out;
    }

    /** The report, parsed; empty when there is none with this id. Throws IllegalArgumentException on a bad id. */
    public Optional<EvalReport> read(String runId) {
        return readJson(runId).map(json -> parse(json, runId));
    }

    /** The report's JSON exactly as stored, for serving without re-serialising. */
    public Optional<String> readJson(String runId) {
        Path file = fileFor(runId);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Writes the report atomically (temporary file, then move) and returns its path. */
    public Path write(EvalReport report) {
        Path file = fileFor(report.runId());
        try {
            Files.createDirectories(directory);
            Path tmp = Files.createTempFile(directory, ".tmp-", ".part");
            Files.writeString(tmp, ReportJson.mapper().writeValueAsString(report));
            readableByAll(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Temporary files are created owner-only; a report is meant to be read by the service and other users. */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix"))
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Parses report JSON; refuses a newer schema than this code knows. */
    public static EvalReport parse(String json, String source) {
        EvalReport report;
        try {
            report = ReportJson.mapper().readValue(json, EvalReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a report: " + source + ": " + e.getOriginalMessage(), e);
        }
        if (report.schemaVersion() > EvalReport.SCHEMA_VERSION)
            throw new IllegalArgumentException(source + " has schema version " + report.schemaVersion()
                    + ", this code reads up to " + EvalReport.SCHEMA_VERSION);
        return report;
    }

    private Path fileFor(String runId) {
        if (!isValidId(runId)) throw new IllegalArgumentException("invalid report id: " + runId);
        return directory.resolve(runId + ".json");
    }
}
