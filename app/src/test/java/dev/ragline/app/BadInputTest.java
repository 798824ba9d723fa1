package dev.ragline.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input table (README, "Bad input"): each malformed body, wrong type, unknown field, size limit and wrong
 * content type sent to the running service gets the stated 4xx with the JSON error body and a message that names
 * the field or the place. The table as answered is written to target/bad-input-table.md.
 */
@QuarkusTest
@TestProfile(EmbeddedPlatformProfile.class)
class BadInputTest {
    private static final String JSON = "application/json";
    private static final List<String> TABLE = new ArrayList<>();

    record Case(String name, String path, String contentType, byte[] body, int status, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case json(String name, String path, String body, int status, String message) {
        return new Case(name, path, JSON, body.getBytes(StandardCharsets.UTF_8), status, message);
    }

    static String keys(int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"k" + i + "\": \"v\"").collect(Collectors.joining(", ", "{", "}"));
    }

    static Stream<Case> cases() {
        byte[] badUtf8 = "{\"query\": \"caf\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        String huge = "{\"query\": \"" + "a".repeat(17_000_000) + "\"}";
        String twoMb = "{\"id\": \"big\", \"version\": 1, \"text\": \"" + "word ".repeat(400_000) + "\"}";
        String list101 = IntStream.range(0, 101).mapToObj(i -> "\"t" + i + "\"").collect(Collectors.joining(",", "[", "]"));
        return Stream.of(
                // POST /v1/search: types
                json("search: k as a word", "/v1/search", "{\"query\": \"brakes\", \"k\": \"three\"}", 400, "k: must be an integer, got a string (\"three\")"),
                json("search: k as a numeric string", "/v1/search", "{\"query\": \"brakes\", \"k\": \"3\"}", 400, "k: must be an integer, got a string (\"3\")"),
                json("search: k with a fraction", "/v1/search", "{\"query\": \"brakes\", \"k\": 2.5}", 400, "k: must be an integer, got 2.5"),
                json("search: k as a boolean", "/v1/search", "{\"query\": \"brakes\", \"k\": true}", 400, "k: must be an integer, got a boolean"),
                json("search: k below 1", "/v1/search", "{\"query\": \"brakes\", \"k\": 0}", 400, "k: must be between 1 and 100"),
                json("search: k above 100", "/v1/search", "{\"query\": \"brakes\", \"k\": 101}", 400, "k: must be between 1 and 100"),
                json("search: query as a list", "/v1/search", "{\"query\": [\"brakes\"]}", 400, "query: must be a string, got an array"),
                json("search: query as a number", "/v1/search", "{\"query\": 42}", 400, "query: must be a string, got 42"),
                json("search: query missing", "/v1/search", "{\"k\": 3}", 400, "query: must not be blank"),
                json("search: query over 4000 characters", "/v1/search", "{\"query\": \"" + "a".repeat(4001) + "\"}", 400, "query: must be at most 4000 characters"),
                json("search: mode unknown", "/v1/search", "{\"query\": \"brakes\", \"mode\": \"fuzzy\"}", 400, "mode: must be one of dense, keyword, hybrid"),
                json("search: mode as a number", "/v1/search", "{\"query\": \"brakes\", \"mode\": 5}", 400, "mode: must be a string, got 5"),
                // filters
                json("search: filter as a string", "/v1/search", "{\"query\": \"brakes\", \"filter\": \"team\"}", 400, "filter: must be an object, got a string (\"team\")"),
                json("search: filter value a number", "/v1/search", "{\"query\": \"brakes\", \"filter\": {\"team\": 7}}", 400, "filter 'team' must be a string or a non-empty list of strings, got a number (7)"),
                json("search: filter value an empty list", "/v1/search", "{\"query\": \"brakes\", \"filter\": {\"team\": []}}", 400, "filter 'team' must be a string or a non-empty list of strings, got an empty list"),
                json("search: filter value an object", "/v1/search", "{\"query\": \"brakes\", \"filter\": {\"team\": {\"a\": \"b\"}}}", 400, "filter 'team' must be a string or a non-empty list of strings, got an object"),
                json("search: filter with 17 keys", "/v1/search", "{\"query\": \"brakes\", \"filter\": " + keys(17) + "}", 400, "filter: has 17 keys, at most 16 are allowed"),
                json("search: filter key with 101 values", "/v1/search", "{\"query\": \"brakes\", \"filter\": {\"team\": " + list101 + "}}", 400, "filter.team: lists 101 values, at most 100 are allowed"),
                json("search: filter value over 4096 characters", "/v1/search", "{\"query\": \"brakes\", \"filter\": {\"team\": \"" + "t".repeat(4097) + "\"}}", 400, "filter.team: a value is longer than 4096 characters"),
                // shape and syntax
                json("search: unknown field", "/v1/search", "{\"query\": \"brakes\", \"top_k\": 3}", 400, "top_k: unknown field; expected one of filter, k, mode, query"),
                json("search: duplicate field", "/v1/search", "{\"query\": \"brakes\", \"k\": 1, \"k\": 2}", 400, "request body is not valid JSON (line 1, column 32): Duplicate field 'k'"),
                json("search: truncated JSON", "/v1/search", "{\"query\": ", 400, "request body is not valid JSON (line 1, column 11): Unexpected end-of-input"),
                json("search: syntax error on line 2", "/v1/search", "{\"query\": \"brakes\",\n \"k\": 3,,\n}", 400, "request body is not valid JSON (line 2, column 9): Unexpected character (','"),
                json("search: trailing data", "/v1/search", "{\"query\": \"brakes\"} {}", 400, "request body is not valid JSON (line 1, column 21): Trailing token (of type START_OBJECT) found after value"),
                json("search: body an array", "/v1/search", "[{\"query\": \"brakes\"}]", 400, "request body must be an object, got an array"),
                json("search: body null", "/v1/search", "null", 400, "request is invalid: body: a JSON body is required"),
                json("search: empty body", "/v1/search", "", 400, "request is invalid: body: a JSON body is required"),
                new Case("search: bad UTF-8", "/v1/search", JSON, badUtf8, 400, "request body is not valid JSON (line 1, column 16): Invalid UTF-8"),
                new Case("search: text/plain", "/v1/search", "text/plain", "brakes".getBytes(StandardCharsets.UTF_8), 415, "content type 'text/plain' is not supported here; send the body as application/json"),
                new Case("search: form encoded", "/v1/search", "application/x-www-form-urlencoded", "query=brakes".getBytes(StandardCharsets.UTF_8), 415, "content type 'application/x-www-form-urlencoded' is not supported here"),
                json("search: 17 MB body", "/v1/search", huge, 413, "request body is 17000013 bytes, over the limit of 16777216 (quarkus.http.limits.max-body-size)"),
                // POST /v1/ask and /v1/ask/stream
                json("ask: question as a number", "/v1/ask", "{\"question\": 5}", 400, "question: must be a string, got 5"),
                json("ask: question blank", "/v1/ask", "{\"question\": \"  \"}", 400, "question: must not be blank"),
                json("ask: question over 2000 characters", "/v1/ask", "{\"question\": \"" + "a".repeat(2001) + "\"}", 400, "question: must be at most 2000 characters"),
                json("ask: k above 20", "/v1/ask", "{\"question\": \"brakes?\", \"k\": 21}", 400, "k: must be between 1 and 20"),
                json("ask: k with a fraction", "/v1/ask", "{\"question\": \"brakes?\", \"k\": 1.5}", 400, "k: must be an integer, got 1.5"),
                json("ask: unknown field", "/v1/ask", "{\"question\": \"brakes?\", \"stream\": true}", 400, "stream: unknown field; expected one of filter, k, mode, question"),
                json("ask: filter as a list", "/v1/ask", "{\"question\": \"brakes?\", \"filter\": [\"team\"]}", 400, "filter: must be an object, got an array"),
                json("ask/stream: question as an object", "/v1/ask/stream", "{\"question\": {\"text\": \"brakes?\"}}", 400, "question: must be a string, got an object"),
                json("ask/stream: truncated JSON", "/v1/ask/stream", "{\"question\": \"brakes?\"", 400, "request body is not valid JSON (line 1, column 23): Unexpected end-of-input: expected close marker for Object"),
                // POST /v1/classify
                json("classify: text as a number", "/v1/classify", "{\"text\": 5}", 400, "text: must be a string, got 5"),
                json("classify: text as a boolean", "/v1/classify", "{\"text\": false}", 400, "text: must be a string, got false"),
                json("classify: topK as a string", "/v1/classify", "{\"text\": \"hello\", \"topK\": \"5\"}", 400, "topK: must be an integer, got a string (\"5\")"),
                json("classify: topK above 50", "/v1/classify", "{\"text\": \"hello\", \"topK\": 51}", 400, "topK: must be between 1 and 50"),
                json("classify: unknown field", "/v1/classify", "{\"query\": \"hello\"}", 400, "query: unknown field; expected one of text, topK"),
                // POST /v1/documents (the consumer's own checks; its event limit is its own 413)
                json("documents: id as a number", "/v1/documents", "{\"id\": 5, \"version\": 1, \"text\": \"x\"}", 400, "id: must be a string (the document id, used as the Kafka key), got number"),
                json("documents: id missing", "/v1/documents", "{\"version\": 1, \"text\": \"x\"}", 400, "field id (the document id, used as the Kafka key) is required"),
                json("documents: text as a number", "/v1/documents", "{\"id\": \"d\", \"version\": 1, \"text\": 5}", 400, "field text must be a string, got NUMBER"),
                json("documents: version as a string", "/v1/documents", "{\"id\": \"d\", \"version\": \"1\", \"text\": \"x\"}", 400, "field version must be an integer"),
                json("documents: unknown field", "/v1/documents", "{\"id\": \"d\", \"version\": 1, \"text\": \"x\", \"tags\": []}", 400, "unknown field 'tags'"),
                json("documents: truncated JSON", "/v1/documents", "{\"id\": \"d\", ", 400, "request body is not valid JSON (line 1, column 13): Unexpected end-of-input"),
                json("documents: empty body", "/v1/documents", "", 400, "a JSON document is required"),
                new Case("documents: text/plain", "/v1/documents", "text/plain", "hello".getBytes(StandardCharsets.UTF_8), 415, "content type 'text/plain' is not supported here"),
                json("documents: 2 MB event", "/v1/documents", twoMb, 413, "over the limit of 1000000 (ragline.ingestion.max-event-bytes)"),
                json("documents: 17 MB body", "/v1/documents", huge, 413, "over the limit of 16777216 (quarkus.http.limits.max-body-size)"));
    }

    @TestHTTPResource("/") URI root;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGetsA4xxJsonErrorThatSaysWhatIsWrong(Case c) throws Exception {
        // The bytes and the content type exactly as given. Large bodies announce themselves with Expect: 100-continue
        // (as curl does): the service answers 413 from the headers alone and closes, without reading the body.
        var request = HttpRequest.newBuilder(root.resolve(c.path())).version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(60)).expectContinue(c.body().length > 1_000_000)
                .POST(HttpRequest.BodyPublishers.ofByteArray(c.body()));
        if (c.contentType() != null) request.header("Content-Type", c.contentType());
        HttpResponse<String> response;
        try (var http = HttpClient.newHttpClient()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(response.statusCode()).as(c.name() + ": " + response.body()).isEqualTo(c.status());
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(JSON));
        JsonPath body = JsonPath.from(response.body());
        assertThat(body.getInt("status")).isEqualTo(c.status());
        assertThat(body.getString("error")).isNotBlank();
        String message = body.getString("message");
        assertThat(message).contains(c.message());
        synchronized (TABLE) {
            TABLE.add("| " + c.name() + " | `" + c.path() + "` | " + c.status() + " | " + message.replace("|", "\\|") + " |");
        }
    }

    @AfterAll
    static void writeTable() throws IOException {
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/bad-input-table.md"), "| case | endpoint | status | message |\n|---|---|---|---|\n"
                + String.join("\n", TABLE) + "\n");
    }
}
