package dev.ragline.app.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, built by the package phase) as a separate JVM, on
 * fixed free ports and a data directory that survive restarts, so it can be killed with SIGKILL and started again
 * as an operator would. Binds 127.0.0.1; the output of every run is appended to one log file.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path jar;
    private final Path log;
    private final int httpPort;
    private final int kafkaPort;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private Process process;
    private final Thread killOnExit = new Thread(this::kill9, "service-process-kill");

    /**
     * @param dataDir   {@code ragline.data-dir}: embedded broker log, Lucene index
     * @param overrides further {@code -D} settings for every start
     */
    public ServiceProcess(Path dataDir, Path log, Map<String, String> overrides) {
        this.jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar))
            throw new IllegalStateException(jar + " is missing: these tests run in the integration-test phase, after the "
                    + "package phase has built it (./mvnw -B -pl app -am verify)");
        this.log = log;
        this.httpPort = freePort();
        this.kafkaPort = freePort();
        properties.put("quarkus.http.host", "127.0.0.1");
        properties.put("quarkus.http.port", String.valueOf(httpPort));
        properties.put("ragline.data-dir", dataDir.toAbsolutePath().toString());
        properties.put("ragline.kafka.embedded-port", String.valueOf(kafkaPort));
        properties.put("ragline.sample-corpus.publish", "false");
        // Not what these tests are about, and each costs start-up time: no intent classifier, no reader.
        properties.put("ragline.classifier.enabled", "false");
        properties.put("ragline.generation.backend", "none");
        properties.putAll(overrides);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The configured external brokers, or else the embedded broker inside the service. */
    public String bootstrapServers() {
        return properties.getOrDefault("ragline.kafka.bootstrap-servers", "127.0.0.1:" + kafkaPort);
    }

    public synchronized void start() {
        if (process != null && process.isAlive()) throw new IllegalStateException("already running");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                // C1 only: the service starts several times per test, and its hot paths are native (ONNX Runtime).
                "-XX:TieredStopAtLevel=1"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", jar.toString()));
        note("starting the service");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the service", e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no clean close of the broker or the store. */
    public synchronized void kill9() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        note("killed the service with SIGKILL");
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Appends a line to the log, so that the service's output can be read against what the test did. */
    public void note(String what) {
        try {
            Files.writeString(log, LocalTime.now() + " TEST " + what + "\n", StandardOpenOption.APPEND, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A GET against the service: status and body, or null while nothing answers. */
    public Response get(String path) {
        try {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the service answers {@code path} with {@code status}; returns the last response. */
    public Response await(String path, int status, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Response last = null;
        while (System.nanoTime() < deadline) {
            if (!isAlive()) throw new AssertionError("the service exited; see " + log);
            last = get(path);
            if (last != null && last.status() == status) return last;
            sleep(200);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + status + " from " + path + "; last: " + last + "; see " + log);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        kill9();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already
        }
    }

    public record Response(int status, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** The named check of a {@code /q/health} answer, or null. */
        public JsonNode check(String name) {
            for (JsonNode c : json().path("checks")) if (name.equals(c.path("name").asText())) return c;
            return null;
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
        }
    }
}
