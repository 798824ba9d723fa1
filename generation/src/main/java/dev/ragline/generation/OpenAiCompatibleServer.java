package dev.ragline.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small OpenAI-compatible chat-completions endpoint ({@code POST /v1/chat/completions}, plain JSON or SSE
 * with {@code "stream": true}; {@code GET /v1/models}) over any {@link Generator}, typically the in-process
 * GGUF model, so that OpenAI clients (LangChain4j's among them) can use it. System messages are joined into
 * the system prompt and user messages into the user prompt; llama.cpp's {@code grammar} extension field is
 * honoured where the generator enforces grammars. It also answers Ollama's native {@code POST /api/chat}
 * (JSON, or NDJSON when streaming), so Ollama clients can use the same model. Binds where told (tests: 127.0.0.1, port 0).
 */
public final class OpenAiCompatibleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_MAX_TOKENS = 256;

    private final Generator generator;
    private final HttpServer server;
    private final ExecutorService executor;

    private OpenAiCompatibleServer(Generator generator, HttpServer server, ExecutorService executor) {
        this.generator = generator;
        this.server = server;
        this.executor = executor;
    }

    /** Starts on {@code host:port} (port 0: a free port). */
    public static OpenAiCompatibleServer start(Generator generator, String host, int port) {
        Objects.requireNonNull(generator, "generator");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            OpenAiCompatibleServer s = new OpenAiCompatibleServer(generator, server, executor);
            server.createContext("/v1/chat/completions", s::chatCompletions);
            server.createContext("/v1/models", s::models);
            server.createContext("/api/chat", s::ollamaChat);
            server.setExecutor(executor);
            server.start();
            LOG.info("OpenAI-compatible endpoint for {} on http://{}:{}/v1", generator.modelId(), host, s.port());
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Base URL for OpenAI clients, e.g. http://127.0.0.1:PORT/v1. */
    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port() + "/v1";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void models(HttpExchange ex) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data").addObject().put("id", generator.modelId()).put("object", "model").put("owned_by", "ragline");
        send(ex, 200, body);
    }

    private void chatCompletions(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, error("use POST"));
                return;
            }
            JsonNode req;
            GenerationRequest request;
            try {
                req = JSON.readTree(ex.getRequestBody());
                request = toRequest(req);
            } catch (IOException | IllegalArgumentException e) {
                send(ex, 400, error(e.getMessage()));
                return;
            }
            handle(req, request, ex);
        }
    }

    private void handle(JsonNode req, GenerationRequest request, HttpExchange ex) throws IOException {
        String id = "chatcmpl-" + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        if (!req.path("stream").asBoolean(false)) {
            Generation g;
            try {
                g = generator.generate(request);
            } catch (IllegalArgumentException e) {
                send(ex, 400, error(e.getMessage()));
                return;
            }
            ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "chat.completion").put("created", created)
                    .put("model", generator.modelId());
            ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", g.text());
            choice.put("finish_reason", g.truncated() ? "length" : "stop");
            usage(body, g);
            send(ex, 200, body);
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        try {
            event(out, chunk(id, created, "role", "assistant", null));
            Generation g = generator.generate(request, token -> event(out, chunk(id, created, "content", token, null)));
            ObjectNode last = chunk(id, created, null, null, g.truncated() ? "length" : "stop");
            if (req.path("stream_options").path("include_usage").asBoolean(false)) usage(last, g);
            event(out, last);
        } catch (RuntimeException e) {
            LOG.warn("streaming generation failed", e);
            event(out, error(e.getMessage()));
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ollama's native chat API: options.num_predict caps the answer; "stream" defaults to true as in Ollama. */
    private void ollamaChat(HttpExchange ex) throws IOException {
        try (ex) {
            JsonNode req;
            GenerationRequest request;
            try {
                req = JSON.readTree(ex.getRequestBody());
                ObjectNode asOpenAi = ((ObjectNode) req.deepCopy()).put("max_tokens", req.path("options").path("num_predict").asInt(DEFAULT_MAX_TOKENS));
                request = toRequest(asOpenAi);
            } catch (IOException | IllegalArgumentException | ClassCastException e) {
                send(ex, 400, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())));
                return;
            }
            String created = java.time.Instant.now().toString();
            if (!req.path("stream").asBoolean(true)) {
                Generation g = generator.generate(request);
                send(ex, 200, ollamaDone(created, g, g.text()));
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            Generation g = generator.generate(request, token -> line(out, ollamaMessage(created, token).put("done", false)));
            line(out, ollamaDone(created, g, ""));
        }
    }

    private ObjectNode ollamaMessage(String created, String content) {
        ObjectNode n = JSON.createObjectNode().put("model", generator.modelId()).put("created_at", created);
        n.putObject("message").put("role", "assistant").put("content", content);
        return n;
    }

    private ObjectNode ollamaDone(String created, Generation g, String content) {
        return ollamaMessage(created, content).put("done", true).put("done_reason", g.truncated() ? "length" : "stop")
                .put("prompt_eval_count", g.promptTokens()).put("eval_count", g.completionTokens())
                .put("total_duration", g.millis() * 1_000_000L);
    }

    private static void line(OutputStream out, ObjectNode data) {
        try {
            out.write((JSON.writeValueAsString(data) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("client went away", e);
        }
    }

    GenerationRequest toRequest(JsonNode req) {
        JsonNode messages = req.path("messages");
        if (!messages.isArray() || messages.isEmpty()) throw new IllegalArgumentException("messages must be a non-empty array");
        StringBuilder system = new StringBuilder();
        StringBuilder user = new StringBuilder();
        for (JsonNode m : messages) {
            String role = m.path("role").asText();
            String content = content(m.path("content"));
            switch (role) {
                case "system", "developer" -> append(system, content);
                case "user" -> append(user, content);
                case "assistant" -> { } // single-turn reader: earlier answers are not part of the task
                default -> throw new IllegalArgumentException("unsupported message role '" + role + "'");
            }
        }
        if (user.isEmpty()) throw new IllegalArgumentException("no user message");
        int max = req.hasNonNull("max_completion_tokens") ? req.get("max_completion_tokens").asInt()
                : req.path("max_tokens").asInt(DEFAULT_MAX_TOKENS);
        String grammar = req.hasNonNull("grammar") ? req.get("grammar").asText() : null;
        if (grammar != null && !generator.supportsGrammar())
            throw new IllegalArgumentException("this model does not support grammars");
        return new GenerationRequest(system.toString(), user.toString(), max, grammar);
    }

    private static String content(JsonNode c) {
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : c) {
                if (!"text".equals(part.path("type").asText()))
                    throw new IllegalArgumentException("only text content parts are supported");
                b.append(part.path("text").asText());
            }
            return b.toString();
        }
        throw new IllegalArgumentException("message content must be a string or an array of text parts");
    }

    private static void append(StringBuilder b, String s) {
        if (!b.isEmpty()) b.append("\n\n");
        b.append(s);
    }

    private ObjectNode chunk(String id, long created, String field, String value, String finish) {
        ObjectNode c = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", generator.modelId());
        ArrayNode choices = c.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (field != null) delta.put(field, value);
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        return c;
    }

    private static void usage(ObjectNode body, Generation g) {
        body.putObject("usage").put("prompt_tokens", g.promptTokens()).put("completion_tokens", g.completionTokens())
                .put("total_tokens", g.promptTokens() + g.completionTokens());
    }

    private static ObjectNode error(String message) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("message", String.valueOf(message)).put("type", "invalid_request_error");
        return e;
    }

    private static void event(OutputStream out, ObjectNode data) {
        try {
            out.write(("data: " + JSON.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("client went away", e);
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
