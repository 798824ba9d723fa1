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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small OpenAI-compatible chat-completions endpoint ({@code POST /v1/chat/completions}, plain JSON or SSE
 * with {@code "stream": true}; {@code GET /v1/models}) over one or more {@link Generator}s, typically the
 * in-process GGUF model, so that OpenAI clients (LangChain4j's among them) can use it. It also answers Ollama's
 * native {@code POST /api/chat} (JSON, or NDJSON when streaming). Binds where told (tests: 127.0.0.1, port 0).
 *
 * <p>It honours what a {@link Generator} can do and refuses the rest, never silently: {@code model} picks the
 * generator (absent: the first; unknown: 404 {@code model_not_found}) and is echoed; every message reaches the
 * prompt (system and developer messages join the system prompt; a conversation with earlier assistant turns
 * becomes a {@code User:}/{@code Assistant:} transcript in the user prompt); {@code max_tokens} /
 * {@code max_completion_tokens}, {@code stop} (up to 4 sequences, cut on the server, also across tokens when
 * streaming), {@code stream_options.include_usage} and llama.cpp's {@code grammar} extension (where the generator
 * enforces grammars) are applied. Generators decode greedily, so {@code temperature} 0, any {@code top_p},
 * {@code seed} and {@code n} 1 are accepted as what they already get. Tools, tool choice, JSON response formats,
 * non-text content, sampling at a temperature above 0, penalties, logit bias, log-probabilities, several choices
 * and any field it does not know get a 400 with an OpenAI-style body that names the field in {@code param}.
 */
public final class OpenAiCompatibleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_MAX_TOKENS = 256;
    private static final int MAX_STOP_SEQUENCES = 4;
    /** Request fields this endpoint knows; anything else is refused by name, as OpenAI does. */
    private static final Set<String> FIELDS = Set.of("model", "messages", "stream", "stream_options", "max_tokens",
            "max_completion_tokens", "stop", "temperature", "top_p", "seed", "n", "user", "metadata", "store", "grammar",
            "tools", "tool_choice", "parallel_tool_calls", "functions", "function_call", "response_format", "logprobs",
            "top_logprobs", "logit_bias", "presence_penalty", "frequency_penalty", "modalities", "audio", "prediction",
            "reasoning_effort", "service_tier", "web_search_options");

    private final Map<String, Generator> generators;
    private final List<String> order;
    private final HttpServer server;
    private final ExecutorService executor;

    private OpenAiCompatibleServer(Map<String, Generator> generators, HttpServer server, ExecutorService executor) {
        this.generators = Map.copyOf(generators);
        this.order = List.copyOf(generators.keySet());
        this.server = server;
        this.executor = executor;
    }

    /** Starts on {@code host:port} (port 0: a free port) over one generator. */
    public static OpenAiCompatibleServer start(Generator generator, String host, int port) {
        return start(List.of(Objects.requireNonNull(generator, "generator")), host, port);
    }

    /**
     * Starts over several generators, each served under its {@link Generator#modelId()}; the first one answers
     * requests that name no model.
     */
    public static OpenAiCompatibleServer start(List<? extends Generator> generators, String host, int port) {
        if (generators.isEmpty()) throw new IllegalArgumentException("no generator to serve");
        Map<String, Generator> byId = new LinkedHashMap<>();
        for (Generator g : generators)
            if (byId.putIfAbsent(g.modelId(), g) != null) throw new IllegalArgumentException("two generators named " + g.modelId());
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            OpenAiCompatibleServer s = new OpenAiCompatibleServer(byId, server, executor);
            server.createContext("/v1/chat/completions", s::chatCompletions);
            server.createContext("/v1/models", s::models);
            server.createContext("/api/chat", s::ollamaChat);
            server.setExecutor(executor);
            server.start();
            LOG.info("OpenAI-compatible endpoint for {} on http://{}:{}/v1", byId.keySet(), host, s.port());
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

    /** A request this endpoint refuses: HTTP status, message, the offending field (OpenAI's {@code param}) and code. */
    static final class Refused extends RuntimeException {
        final int status;
        final String param;
        final String code;

        Refused(int status, String message, String param, String code) {
            super(message);
            this.status = status;
            this.param = param;
            this.code = code;
        }

        Refused(String message, String param) {
            this(400, message, param, null);
        }
    }

    /** A parsed chat request: which generator, what to generate, and how to deliver it. */
    record Call(String model, Generator generator, GenerationRequest request, List<String> stop, boolean stream,
                boolean includeUsage) {
    }

    private void models(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                send(ex, 405, error(new Refused(405, "use GET", null, null)));
                return;
            }
            ObjectNode body = JSON.createObjectNode().put("object", "list");
            ArrayNode data = body.putArray("data");
            for (String id : order) data.addObject().put("id", id).put("object", "model").put("owned_by", "ragline");
            send(ex, 200, body);
        }
    }

    private void chatCompletions(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                send(ex, 405, error(new Refused(405, "use POST", null, null)));
                return;
            }
            Call call;
            try {
                JsonNode req;
                try {
                    req = JSON.readTree(ex.getRequestBody());
                } catch (IOException e) {
                    throw new Refused("the request body is not valid JSON: " + e.getMessage(), null);
                }
                call = parse(req);
            } catch (Refused r) {
                send(ex, r.status, error(r));
                return;
            }
            if (call.stream()) stream(call, ex);
            else complete(call, ex);
        }
    }

    private void complete(Call call, HttpExchange ex) throws IOException {
        StopFilter filter = new StopFilter(call.stop());
        StringBuilder text = new StringBuilder();
        Generation g;
        try {
            g = call.generator().generate(call.request(), token -> text.append(filter.accept(token)));
        } catch (IllegalArgumentException e) { // the prompt does not fit the context window, or the like
            send(ex, 400, error(new Refused(e.getMessage(), "messages")));
            return;
        } catch (RuntimeException e) {
            LOG.warn("generation failed", e);
            send(ex, 500, error(new Refused(500, String.valueOf(e.getMessage()), null, null)));
            return;
        }
        text.append(filter.finish());
        String id = "chatcmpl-" + UUID.randomUUID();
        ObjectNode body = JSON.createObjectNode().put("id", id).put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000).put("model", call.model());
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", text.toString());
        choice.put("finish_reason", finishReason(g, filter));
        usage(body, g, filter);
        send(ex, 200, body);
    }

    private void stream(Call call, HttpExchange ex) throws IOException {
        String id = "chatcmpl-" + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        Sink out = new Sink(ex.getResponseBody());
        StopFilter filter = new StopFilter(call.stop());
        out.event(chunk(id, created, call.model(), "role", "assistant", null));
        try {
            Generation g = call.generator().generate(call.request(), token -> {
                String piece = filter.accept(token);
                if (!piece.isEmpty()) out.event(chunk(id, created, call.model(), "content", piece, null));
            });
            String rest = filter.finish();
            if (!rest.isEmpty()) out.event(chunk(id, created, call.model(), "content", rest, null));
            ObjectNode last = chunk(id, created, call.model(), null, null, finishReason(g, filter));
            if (call.includeUsage()) usage(last, g, filter);
            out.event(last);
        } catch (RuntimeException e) {
            LOG.warn("streaming generation failed", e);
            out.event(error(new Refused(500, String.valueOf(e.getMessage()), null, null)));
        }
        out.raw("data: [DONE]\n\n");
    }

    /**
     * Writes to a client that may go away mid-answer (a cancelled stream): then the rest is dropped, and the
     * generator runs to its end rather than being torn out of its decoding loop.
     */
    private static final class Sink {
        private final OutputStream out;
        private boolean gone;

        Sink(OutputStream out) {
            this.out = out;
        }

        void event(ObjectNode data) {
            try {
                raw("data: " + JSON.writeValueAsString(data) + "\n\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void line(ObjectNode data) {
            try {
                raw(JSON.writeValueAsString(data) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void raw(String s) {
            if (gone) return;
            try {
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                gone = true;
                LOG.debug("client went away: {}", e.toString());
            }
        }
    }

    /**
     * Cuts the output before the first stop sequence. While streaming it holds back a tail that could still
     * become a stop sequence with the next token, so no part of a stop sequence is ever sent.
     */
    static final class StopFilter {
        private final List<String> stops;
        private final StringBuilder all = new StringBuilder();
        private int emitted;
        private int tokens;
        private int tokensAtStop = -1;

        StopFilter(List<String> stops) {
            this.stops = stops;
        }

        boolean stopped() {
            return tokensAtStop >= 0;
        }

        /** Tokens decoded up to and including the one that completed a stop sequence. */
        int tokensAtStop() {
            return tokensAtStop;
        }

        /** Takes the next decoded piece; returns the text that is now safe to deliver. */
        String accept(String token) {
            if (stopped()) return "";
            tokens++;
            all.append(token);
            if (stops.isEmpty()) return flush(all.length());
            int cut = -1;
            for (String s : stops) {
                int i = all.indexOf(s, Math.max(0, emitted - s.length()));
                if (i >= 0 && (cut < 0 || i < cut)) cut = i;
            }
            if (cut >= 0) {
                tokensAtStop = tokens;
                return flush(Math.max(cut, emitted));
            }
            int hold = 0;
            for (String s : stops)
                for (int k = Math.min(s.length() - 1, all.length()); k > hold; k--)
                    if (s.startsWith(all.substring(all.length() - k))) {
                        hold = k;
                        break;
                    }
            return flush(Math.max(emitted, all.length() - hold));
        }

        /** The held-back tail once decoding ended without a stop sequence. */
        String finish() {
            return stopped() ? "" : flush(all.length());
        }

        private String flush(int upTo) {
            String s = all.substring(emitted, upTo);
            emitted = upTo;
            return s;
        }
    }

    private static String finishReason(Generation g, StopFilter filter) {
        if (filter.stopped()) return "stop";
        return g.truncated() ? "length" : "stop";
    }

    private static void usage(ObjectNode body, Generation g, StopFilter filter) {
        int completion = filter.stopped() ? Math.min(filter.tokensAtStop(), g.completionTokens()) : g.completionTokens();
        body.putObject("usage").put("prompt_tokens", g.promptTokens()).put("completion_tokens", completion)
                .put("total_tokens", g.promptTokens() + completion);
    }

    /** Ollama's native chat API, translated to the OpenAI request (Ollama's field names in its refusals). */
    private void ollamaChat(HttpExchange ex) throws IOException {
        try (ex) {
            Call call;
            try {
                if (!"POST".equals(ex.getRequestMethod())) throw new Refused(405, "use POST", null, null);
                JsonNode req;
                try {
                    req = JSON.readTree(ex.getRequestBody());
                } catch (IOException e) {
                    throw new Refused("the request body is not valid JSON: " + e.getMessage(), null);
                }
                call = parse(fromOllama(req));
            } catch (Refused r) {
                send(ex, r.status, JSON.createObjectNode().put("error", r.getMessage()));
                return;
            }
            String created = java.time.Instant.now().toString();
            StopFilter filter = new StopFilter(call.stop());
            if (!call.stream()) {
                StringBuilder text = new StringBuilder();
                Generation g;
                try {
                    g = call.generator().generate(call.request(), token -> text.append(filter.accept(token)));
                } catch (IllegalArgumentException e) {
                    send(ex, 400, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())));
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("generation failed", e);
                    send(ex, 500, JSON.createObjectNode().put("error", String.valueOf(e.getMessage())));
                    return;
                }
                text.append(filter.finish());
                send(ex, 200, ollamaDone(call.model(), created, g, filter, text.toString()));
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            ex.sendResponseHeaders(200, 0);
            Sink out = new Sink(ex.getResponseBody());
            try {
                Generation g = call.generator().generate(call.request(), token -> {
                    String piece = filter.accept(token);
                    if (!piece.isEmpty()) out.line(ollamaMessage(call.model(), created, piece).put("done", false));
                });
                String rest = filter.finish();
                if (!rest.isEmpty()) out.line(ollamaMessage(call.model(), created, rest).put("done", false));
                out.line(ollamaDone(call.model(), created, g, filter, ""));
            } catch (RuntimeException e) {
                LOG.warn("streaming generation failed", e);
                out.line(JSON.createObjectNode().put("error", String.valueOf(e.getMessage())));
            }
        }
    }

    /** Ollama's request as the OpenAI one; what has no OpenAI counterpart here is refused under Ollama's name. */
    private ObjectNode fromOllama(JsonNode req) {
        if (!req.isObject()) throw new Refused("the request body must be a JSON object", null);
        ObjectNode o = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> f : req.properties()) {
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (v.isNull()) continue;
            switch (name) {
                case "model", "messages" -> o.set(name, v);
                case "stream" -> o.set("stream", v);
                case "keep_alive" -> { } // the model stays loaded anyway
                case "tools" -> {
                    if (!v.isArray() || !v.isEmpty()) throw new Refused("tools are not supported by this endpoint", "tools");
                }
                case "format" -> throw new Refused("format (JSON output) is not supported by this endpoint", "format");
                case "think" -> {
                    if (v.asBoolean(true)) throw new Refused("think is not supported by this endpoint", "think");
                }
                case "options" -> {
                    if (!v.isObject()) throw new Refused("options must be an object", "options");
                    for (Map.Entry<String, JsonNode> opt : v.properties()) {
                        JsonNode ov = opt.getValue();
                        if (ov.isNull()) continue;
                        switch (opt.getKey()) {
                            case "num_predict" -> o.set("max_tokens", ov);
                            case "stop", "temperature", "top_p", "seed" -> o.set(opt.getKey(), ov);
                            case "num_ctx" -> { } // checked against the model below
                            default -> throw new Refused("option " + opt.getKey() + " is not supported by this endpoint",
                                    "options." + opt.getKey());
                        }
                    }
                }
                default -> throw new Refused("unrecognized request field: " + name, name);
            }
        }
        if (!o.has("stream")) o.put("stream", true); // Ollama streams unless told not to
        if (!o.has("max_tokens")) o.put("max_tokens", DEFAULT_MAX_TOKENS);
        int numCtx = req.path("options").path("num_ctx").asInt(0);
        Generator g = generator(o.path("model"));
        if (numCtx > g.contextWindow())
            throw new Refused("num_ctx " + numCtx + " exceeds the model's context window of " + g.contextWindow(), "options.num_ctx");
        return o;
    }

    private ObjectNode ollamaMessage(String model, String created, String content) {
        ObjectNode n = JSON.createObjectNode().put("model", model).put("created_at", created);
        n.putObject("message").put("role", "assistant").put("content", content);
        return n;
    }

    private ObjectNode ollamaDone(String model, String created, Generation g, StopFilter filter, String content) {
        int completion = filter.stopped() ? Math.min(filter.tokensAtStop(), g.completionTokens()) : g.completionTokens();
        return ollamaMessage(model, created, content).put("done", true).put("done_reason", finishReason(g, filter))
                .put("prompt_eval_count", g.promptTokens()).put("eval_count", completion)
                .put("total_duration", g.millis() * 1_000_000L);
    }

    private Generator generator(JsonNode model) {
        if (model.isMissingNode() || model.isNull()) return generators.get(order.getFirst());
        if (!model.isTextual()) throw new Refused("model must be a string", "model");
        Generator g = generators.get(model.asText());
        if (g == null)
            throw new Refused(404, "The model '" + model.asText() + "' does not exist; this endpoint serves " + order,
                    "model", "model_not_found");
        return g;
    }

    /** Validates an OpenAI chat-completions request and maps it onto a generator; refuses what cannot be honoured. */
    Call parse(JsonNode req) {
        if (!req.isObject()) throw new Refused("the request body must be a JSON object", null);
        for (Map.Entry<String, JsonNode> f : req.properties())
            if (!FIELDS.contains(f.getKey()) && !f.getValue().isNull())
                throw new Refused("Unrecognized request argument supplied: " + f.getKey(), f.getKey());
        Generator generator = generator(req.path("model"));
        String model = generator.modelId();

        refuseIfPresent(req, "tools", "tools (function calling) are not supported by this endpoint", v -> !(v.isArray() && v.isEmpty()));
        refuseIfPresent(req, "tool_choice", "tool_choice is not supported by this endpoint (only \"none\")",
                v -> !"none".equals(v.asText()));
        refuseIfPresent(req, "parallel_tool_calls", "parallel_tool_calls is not supported: this endpoint has no tools", v -> true);
        refuseIfPresent(req, "functions", "functions (function calling) are not supported by this endpoint", v -> true);
        refuseIfPresent(req, "function_call", "function_call is not supported by this endpoint", v -> !"none".equals(v.asText()));
        refuseIfPresent(req, "response_format", "response_format '" + req.path("response_format").path("type").asText()
                + "' is not supported by this endpoint: it returns plain text only (JSON response format not supported)",
                v -> !"text".equals(v.path("type").asText()));
        refuseIfPresent(req, "temperature", "temperature must be 0: this endpoint's models decode greedily and cannot sample",
                v -> !v.isNumber() || v.asDouble() != 0.0);
        refuseIfPresent(req, "top_p", "top_p must be a number in (0, 1]", v -> !v.isNumber() || v.asDouble() <= 0 || v.asDouble() > 1);
        refuseIfPresent(req, "seed", "seed must be an integer", v -> !v.canConvertToLong());
        refuseIfPresent(req, "n", "n must be 1: this endpoint returns one choice", v -> !v.canConvertToInt() || v.asInt() != 1);
        refuseIfPresent(req, "presence_penalty", "presence_penalty is not supported by this endpoint (only 0)", v -> !v.isNumber() || v.asDouble() != 0.0);
        refuseIfPresent(req, "frequency_penalty", "frequency_penalty is not supported by this endpoint (only 0)", v -> !v.isNumber() || v.asDouble() != 0.0);
        refuseIfPresent(req, "logit_bias", "logit_bias is not supported by this endpoint", v -> !(v.isObject() && v.isEmpty()));
        refuseIfPresent(req, "logprobs", "logprobs are not supported by this endpoint", v -> v.asBoolean(true));
        refuseIfPresent(req, "top_logprobs", "top_logprobs are not supported by this endpoint", v -> true);
        refuseIfPresent(req, "modalities", "modalities other than [\"text\"] are not supported by this endpoint",
                v -> !(v.isArray() && v.size() == 1 && "text".equals(v.get(0).asText())));
        refuseIfPresent(req, "audio", "audio output is not supported by this endpoint", v -> true);
        refuseIfPresent(req, "prediction", "predicted outputs are not supported by this endpoint", v -> true);
        refuseIfPresent(req, "reasoning_effort", "reasoning_effort is not supported by this endpoint", v -> true);
        refuseIfPresent(req, "web_search_options", "web search is not supported by this endpoint", v -> true);
        refuseIfPresent(req, "store", "store is not supported: this endpoint keeps no completions", v -> v.asBoolean(true));
        refuseIfPresent(req, "user", "user must be a string", v -> !v.isTextual());
        refuseIfPresent(req, "metadata", "metadata must be an object", v -> !v.isObject());
        refuseIfPresent(req, "service_tier", "service_tier must be a string", v -> !v.isTextual());
        refuseIfPresent(req, "stream", "stream must be a boolean", v -> !v.isBoolean());
        boolean stream = req.path("stream").asBoolean(false);
        boolean includeUsage = false;
        JsonNode so = req.path("stream_options");
        if (!so.isMissingNode() && !so.isNull()) {
            if (!so.isObject()) throw new Refused("stream_options must be an object", "stream_options");
            for (Map.Entry<String, JsonNode> f : so.properties()) {
                if (!"include_usage".equals(f.getKey()) || !f.getValue().isBoolean())
                    throw new Refused("stream_options." + f.getKey() + " is not supported", "stream_options." + f.getKey());
            }
            includeUsage = so.path("include_usage").asBoolean(false);
        }

        String maxField = req.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        int max = DEFAULT_MAX_TOKENS;
        if (req.hasNonNull(maxField)) {
            JsonNode v = req.get(maxField);
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1)
                throw new Refused(maxField + " must be an integer >= 1", maxField);
            max = v.asInt();
        }
        List<String> stop = stops(req.path("stop"));
        String grammar = null;
        if (req.hasNonNull("grammar")) {
            if (!req.get("grammar").isTextual()) throw new Refused("grammar must be a GBNF string", "grammar");
            if (!generator.supportsGrammar()) throw new Refused("model " + model + " does not enforce grammars", "grammar");
            grammar = req.get("grammar").asText();
        }
        GenerationRequest request = prompt(req.path("messages"), max, grammar);
        return new Call(model, generator, request, stop, stream, includeUsage);
    }

    private static void refuseIfPresent(JsonNode req, String field, String message, java.util.function.Predicate<JsonNode> refused) {
        JsonNode v = req.get(field);
        if (v != null && !v.isNull() && refused.test(v)) throw new Refused(message, field);
    }

    private static List<String> stops(JsonNode stop) {
        if (stop.isMissingNode() || stop.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) out.add(stop.asText());
        else if (stop.isArray()) for (JsonNode s : stop) {
            if (!s.isTextual()) throw new Refused("stop must be a string or an array of strings", "stop");
            out.add(s.asText());
        }
        else throw new Refused("stop must be a string or an array of strings", "stop");
        if (out.size() > MAX_STOP_SEQUENCES) throw new Refused("stop takes at most " + MAX_STOP_SEQUENCES + " sequences", "stop");
        if (out.stream().anyMatch(String::isEmpty)) throw new Refused("stop sequences must not be empty", "stop");
        return List.copyOf(out);
    }

    /**
     * The messages as one system + user prompt, nothing dropped. System and developer messages join the system
     * prompt. User messages alone join the user prompt as they are; once an assistant turn is part of the
     * conversation, the user prompt is its transcript, turn by turn ("User: ...", "Assistant: ...").
     */
    static GenerationRequest prompt(JsonNode messages, int maxTokens, String grammar) {
        if (!messages.isArray() || messages.isEmpty()) throw new Refused("messages must be a non-empty array", "messages");
        StringBuilder system = new StringBuilder();
        List<String[]> turns = new ArrayList<>();
        boolean assistant = false;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw new Refused(at + " must be an object", at);
            String role = m.path("role").asText();
            if (role.equals("tool") || role.equals("function"))
                throw new Refused(role + " messages are not supported: this endpoint has no tools", at + ".role");
            for (Map.Entry<String, JsonNode> f : m.properties()) {
                JsonNode v = f.getValue();
                if (v.isNull()) continue;
                switch (f.getKey()) {
                    case "role", "content" -> { }
                    case "tool_calls" -> {
                        if (!(v.isArray() && v.isEmpty()))
                            throw new Refused("tool calls are not supported by this endpoint", at + ".tool_calls");
                    }
                    case "refusal" -> { } // an earlier answer's refusal text, as OpenAI returns it
                    default -> throw new Refused(at + "." + f.getKey() + " is not supported by this endpoint", at + "." + f.getKey());
                }
            }
            switch (role) {
                case "system", "developer" -> append(system, content(m.path("content"), at));
                case "user" -> turns.add(new String[]{"User", content(m.path("content"), at)});
                case "assistant" -> {
                    turns.add(new String[]{"Assistant", content(m.path("content"), at)});
                    assistant = true;
                }
                default -> throw new Refused("unsupported message role '" + role + "'", at + ".role");
            }
        }
        if (turns.stream().noneMatch(t -> t[0].equals("User"))) throw new Refused("no user message", "messages");
        StringBuilder user = new StringBuilder();
        for (String[] t : turns) append(user, assistant ? t[0] + ": " + t[1] : t[1]);
        return new GenerationRequest(system.toString(), user.toString(), maxTokens, grammar);
    }

    private static String content(JsonNode c, String at) {
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonNode part : c) {
                String type = part.path("type").asText();
                if (!"text".equals(type))
                    throw new Refused("content parts of type '" + type + "' are not supported by this endpoint: text only "
                            + "(no image, audio or file input)", at + ".content");
                b.append(part.path("text").asText());
            }
            return b.toString();
        }
        throw new Refused(at + ".content must be a string or an array of text parts", at + ".content");
    }

    private static void append(StringBuilder b, String s) {
        if (!b.isEmpty()) b.append("\n\n");
        b.append(s);
    }

    private static ObjectNode chunk(String id, long created, String model, String field, String value, String finish) {
        ObjectNode c = JSON.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
        ArrayNode choices = c.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (field != null) delta.put(field, value);
        if (finish == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finish);
        return c;
    }

    /** OpenAI's error body: message, type, param (the offending field) and code. */
    private static ObjectNode error(Refused r) {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode body = e.putObject("error").put("message", String.valueOf(r.getMessage()))
                .put("type", r.status >= 500 ? "server_error" : "invalid_request_error");
        if (r.param == null) body.putNull("param");
        else body.put("param", r.param);
        if (r.code == null) body.putNull("code");
        else body.put("code", r.code);
        return e;
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
