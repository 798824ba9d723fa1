package dev.ragline.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ragline.app.wiring.AskBulkhead;
import dev.ragline.app.wiring.SearchBulkhead;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The bounds of {@code /v1/ask} and {@code /v1/search} through the running service. The decoder bound of
 * {@code /v1/ask}, with one reader and one waiter: the
 * one slot is held by the test itself through the service's own {@link AskBulkhead} (as an answer being read would
 * hold it), so saturation does not depend on timing: with the slot held and one request waiting, every further
 * GENERATE request is refused at once with 429 and Retry-After, while DIRECT answers need no slot; once the slot is
 * free, the waiting request is answered. A request that waits longer than max-wait gets 503.
 */
@QuarkusTest
@TestProfile(RequestBoundsTest.TinyBound.class)
class RequestBoundsTest {
    /** Routed to GENERATE by the sample corpus's router (intent battery_range, not answered directly). */
    private static final String GENERATE = "{\"question\": \"Will the battery get me 60 km to work and back?\"}";

    public static class TinyBound extends EmbeddedPlatformProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("ragline.sample-corpus.publish", "false");
            config.put("ragline.ask.max-concurrent", "1");
            config.put("ragline.ask.max-waiting", "1");
            // Long enough for the waiting request to outlast the refused ones on a loaded machine; the 503 case waits it out.
            config.put("ragline.ask.max-wait", "PT30S");
            config.put("ragline.search.max-concurrent", "1");
            config.put("ragline.search.max-waiting", "1");
            config.put("ragline.search.max-wait", "PT30S");
            return config;
        }
    }

    @Inject AskBulkhead bulkhead;
    @Inject SearchBulkhead searchBulkhead;
    @TestHTTPResource("/v1/ask") URI ask;
    @TestHTTPResource("/v1/search") URI search;

    private final HttpClient http = HttpClient.newHttpClient();

    private CompletableFuture<HttpResponse<String>> postAsync(URI uri, String body) {
        return http.sendAsync(HttpRequest.newBuilder(uri).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void beyondTheBoundGenerateRequestsGet429WithRetryAfterAndTheWaitingOneIsAnswered() throws Exception {
        CompletableFuture<HttpResponse<String>> waiter;
        try (var held = bulkhead.acquire()) {
            assertThat(bulkhead.inFlight()).isEqualTo(1);
            waiter = postAsync(ask, GENERATE);
            Eventually.await("a request waiting for the decoder", Duration.ofSeconds(30), () -> bulkhead.waiting() == 1);

            // Line full: three parallel asks and one streamed ask are all refused at once.
            List<CompletableFuture<HttpResponse<String>>> extra = IntStream.range(0, 3).mapToObj(i -> postAsync(ask, GENERATE)).toList();
            var streamed = postAsync(URI.create(ask + "/stream"), GENERATE);
            for (var f : extra) assertRefused(f.get(), 429);
            assertRefused(streamed.get(), 429);
            assertThat(waiter).isNotDone();

            // A DIRECT answer (a template) needs no slot.
            given().contentType(ContentType.JSON).body(Map.of("question", "hello!")).post("/v1/ask")
                    .then().statusCode(200);
        }
        HttpResponse<String> answered = waiter.get();
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(answered.body()).contains("\"type\":\"GENERATE\"");
        assertThat(bulkhead.inFlight()).isZero();
        assertThat(bulkhead.waiting()).isZero();

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("ragline_ask_rejected_total{reason=\"queue_full\"} 4.0", "ragline_ask_decoder_in_flight 0.0");
    }

    @Test
    void aRequestThatWaitsLongerThanMaxWaitGets503WithRetryAfter() throws Exception {
        try (var held = bulkhead.acquire()) {
            long start = System.nanoTime();
            HttpResponse<String> r = postAsync(ask, GENERATE).get();
            assertRefused(r, 503);
            assertThat(r.body()).contains("ragline.ask.max-wait");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(bulkhead.maxWait());
        }
        Response after = given().contentType(ContentType.JSON).body(GENERATE).post("/v1/ask");
        assertThat(after.statusCode()).isEqualTo(200);
    }

    /**
     * Searches run one at a time here (ragline.search.max-concurrent=1) with one waiter; the slot is held by the test
     * through the service's own {@link SearchBulkhead}: a search waits in line, the next one is refused at once with
     * 429 naming the setting, and the waiting one is answered once the slot is free.
     */
    @Test
    void searchesBeyondTheSearchBoundWaitInLineOrGet429() throws Exception {
        String body = "{\"query\": \"battery range\", \"k\": 1}";
        CompletableFuture<HttpResponse<String>> waiter;
        try (var held = searchBulkhead.acquire()) {
            waiter = postAsync(search, body);
            Eventually.await("a search waiting for a slot", Duration.ofSeconds(30), () -> searchBulkhead.waiting() == 1);
            HttpResponse<String> refused = postAsync(search, body).get();
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(refused.body()).contains("search is busy", "ragline.search.max-waiting");
            assertThat(waiter).isNotDone();
        }
        HttpResponse<String> answered = waiter.get();
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(answered.body()).contains("\"hits\"");
        assertThat(searchBulkhead.inFlight()).isZero();
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("ragline_search_rejected_total{reason=\"queue_full\"} 1.0", "ragline_search_in_flight 0.0");
    }

    private static void assertRefused(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(r.body()).contains("\"status\":" + status, "decoder is busy");
    }
}
