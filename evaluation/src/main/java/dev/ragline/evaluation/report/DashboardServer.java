package dev.ragline.evaluation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A small stand-alone server for the dashboard, for looking at reports without the Quarkus service (the harness'
 * {@code serve} command) and for the browser test. It serves what the service serves: the dashboard and the chart
 * library from {@code META-INF/resources} on the class path, {@code GET /v1/eval/reports} and
 * {@code GET /v1/eval/reports/{id}} from a {@link ReportRepository}.
 */
public final class DashboardServer implements AutoCloseable {
    public static final String API = "/v1/eval/reports";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "json", "application/json",
            "map", "application/json", "png", "image/png", "svg", "image/svg+xml");

    private final HttpServer server;
    private final ReportRepository repository;

    private DashboardServer(HttpServer server, ReportRepository repository) {
        this.server = server;
        this.repository = repository;
    }

    /** Starts on 127.0.0.1; port 0 picks a free one. */
    public static DashboardServer start(ReportRepository repository, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        DashboardServer d = new DashboardServer(server, repository);
        server.createContext(API, d::api);
        server.createContext("/", d::staticResource);
        server.start();
        return d;
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void api(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "application/json", error("only GET"));
                return;
            }
            String rest = exchange.getRequestURI().getPath().substring(API.length());
            if (rest.isEmpty() || rest.equals("/")) {
                send(exchange, 200, "application/json", ReportJson.mapper().writeValueAsBytes(repository.list()));
                return;
            }
            String id = rest.substring(1);
            if (!ReportRepository.isValidId(id)) {
                send(exchange, 400, "application/json", error("invalid report id"));
                return;
            }
            Optional<String> json = repository.readJson(id);
            if (json.isPresent()) send(exchange, 200, "application/json", json.get().getBytes(StandardCharsets.UTF_8));
            else send(exchange, 404, "application/json", error("no report " + id));
        }
    }

    private void staticResource(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/") || path.equals("/dashboard")) {
                exchange.getResponseHeaders().add("Location", "/dashboard/");
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            if (path.endsWith("/")) path += "index.html";
            if (path.contains("..")) {
                send(exchange, 400, "text/plain", "bad path".getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (InputStream in = DashboardServer.class.getClassLoader().getResourceAsStream("META-INF/resources" + path)) {
                if (in == null) {
                    send(exchange, 404, "text/plain", ("not found: " + path).getBytes(StandardCharsets.UTF_8));
                    return;
                }
                String ext = path.substring(path.lastIndexOf('.') + 1);
                send(exchange, 200, TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
            }
        }
    }

    private static byte[] error(String message) throws JsonProcessingException {
        return ReportJson.mapper().writeValueAsBytes(Map.of("error", message));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
