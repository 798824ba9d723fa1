package dev.ragline.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.app.wiring.Platform;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole service on its embedded default: events published to the in-process Kafka broker are parsed,
 * chunked, embedded by the real ONNX encoder, stored in Lucene and found through the HTTP API.
 */
@QuarkusTest
@TestProfile(EmbeddedPlatformProfile.class)
class SearchApiTest {
    private static final Duration INGEST_TIMEOUT = Duration.ofSeconds(90);

    @Inject Platform platform;
    @Inject RaglineConfig config;

    static JsonPath search(Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post("/v1/search")
                .then().statusCode(200).extract().jsonPath();
    }

    static List<String> documentIds(String query, int k, Map<String, Object> filter) {
        var body = filter == null ? Map.of("query", query, "k", k) : Map.of("query", query, "k", k, "filter", filter);
        return search(body).getList("hits.documentId");
    }

    @Test
    void sampleCorpusBecomesSearchable() {
        Eventually.await("the sample corpus to be indexed", INGEST_TIMEOUT,
                () -> !documentIds("brake pads worn, brake lever pulls to the handlebar", 3, null).isEmpty());
        JsonPath result = search(Map.of("query", "How often should I replace the brake pads?", "k", 3));
        assertThat(result.getString("hits[0].documentId")).isEqualTo("brakes.txt");
        assertThat(result.getString("hits[0].text")).containsIgnoringCase("pads");
        assertThat(result.getDouble("hits[0].score")).isGreaterThan(result.getDouble("hits[2].score"));
        assertThat(result.getMap("hits[0].metadata")).containsEntry("source", "sample-corpus");
    }

    @Test
    void publishedDocumentsAreIndexedUpdatedAndDeleted() {
        String id = "kb-" + System.nanoTime();
        try (var topic = new DocumentTopic(platform.bootstrapServers(), config.kafka().topic())) {
            topic.send(id, """
                    {"id": "%s", "title": "Quantum tea kettle", "contentType": "text/markdown", "version": 1,
                     "metadata": {"team": "kitchen"},
                     "text": "# Quantum tea kettle\\n\\nThe quantum kettle boils water in exactly seven seconds using a flux capacitor."}
                    """.formatted(id));
            Eventually.await("v1 to be searchable", INGEST_TIMEOUT,
                    () -> documentIds("kettle boils water with a flux capacitor", 1, Map.of("team", "kitchen")).contains(id));

            JsonPath hit = search(Map.of("query", "flux capacitor kettle", "k", 1, "filter", Map.of("document_id", id)));
            assertThat(hit.getString("hits[0].title")).isEqualTo("Quantum tea kettle");
            assertThat(hit.getString("hits[0].heading")).isEqualTo("Quantum tea kettle");
            assertThat(hit.getLong("hits[0].version")).isEqualTo(1);
            // The filter really restricts: no sample-corpus document carries team=kitchen.
            assertThat(documentIds("brake pads", 5, Map.of("team", List.of("kitchen")))).containsOnly(id);

            topic.send(id, """
                    {"id": "%s", "title": "Quantum tea kettle", "version": 2, "metadata": {"team": "kitchen"},
                     "text": "The kettle was recalled. It now brews green tea with solar panels instead."}
                    """.formatted(id));
            Eventually.await("v2 to replace v1", INGEST_TIMEOUT, () -> {
                var hits = search(Map.of("query", "kettle", "k", 10, "filter", Map.of("document_id", id)));
                return hits.getList("hits").size() == 1 && hits.getLong("hits[0].version") == 2;
            });
            assertThat(search(Map.of("query", "kettle", "k", 10, "filter", Map.of("document_id", id)))
                    .getString("hits[0].text")).contains("solar panels").doesNotContain("flux capacitor");

            topic.send(id, null);
            Eventually.await("the tombstone to delete the document", INGEST_TIMEOUT,
                    () -> documentIds("kettle", 10, Map.of("document_id", id)).isEmpty());
        }
    }

    @Test
    void documentsPostedOverHttpTakeTheSamePathAsKafkaEvents() {
        String id = "http-" + System.nanoTime();
        given().contentType(ContentType.JSON).body(Map.of("id", id, "title", "Lighthouse keeping", "version", 1,
                        "text", "The lighthouse lamp is cleaned every Tuesday by the harbour master."))
                .post("/v1/documents").then().statusCode(202).body("topic", equalTo(config.kafka().topic()));
        Eventually.await("the posted document to be searchable", INGEST_TIMEOUT,
                () -> documentIds("who cleans the lighthouse lamp?", 1, Map.of("document_id", id)).contains(id));

        given().delete("/v1/documents/" + id).then().statusCode(202);
        Eventually.await("the deletion", INGEST_TIMEOUT,
                () -> documentIds("lighthouse", 5, Map.of("document_id", id)).isEmpty());

        given().contentType(ContentType.JSON).body(Map.of("id", "x", "text", "no version")).post("/v1/documents")
                .then().statusCode(400).body("message", containsString("version"));
        given().contentType(ContentType.JSON).body(Map.of("text", "no id", "version", 1)).post("/v1/documents")
                .then().statusCode(400).body("message", containsString("field id"));
    }

    @Test
    void searchModesDenseKeywordAndHybridSayWhichLegsFoundEachHit() {
        String id = "code-" + System.nanoTime();
        try (var topic = new DocumentTopic(platform.bootstrapServers(), config.kafka().topic())) {
            topic.send(id, """
                    {"id": "%s", "title": "Controller faults", "version": 1, "metadata": {"team": "firmware"},
                     "text": "Fault QX7-3310 means the motor controller lost its hall sensor signal."}
                    """.formatted(id));
        }
        Eventually.await("the fault document to be searchable", INGEST_TIMEOUT,
                () -> documentIds("motor controller hall sensor", 5, Map.of("document_id", id)).contains(id));

        JsonPath keyword = search(Map.of("query", "QX7-3310", "k", 3, "mode", "keyword"));
        assertThat(keyword.getString("mode")).isEqualTo("keyword");
        assertThat(keyword.getString("hits[0].documentId")).isEqualTo(id);
        assertThat(keyword.getInt("hits[0].legs.keyword.rank")).isEqualTo(1);
        assertThat(keyword.getMap("hits[0].legs")).doesNotContainKey("dense");

        JsonPath hybrid = search(Map.of("query", "what is fault QX7-3310", "k", 5, "mode", "HYBRID"));
        assertThat(hybrid.getString("mode")).isEqualTo("hybrid");
        assertThat(hybrid.getList("hits.documentId")).contains(id);
        int at = hybrid.getList("hits.documentId").indexOf(id);
        assertThat(hybrid.getInt("hits[" + at + "].legs.keyword.rank")).isEqualTo(1);

        JsonPath dense = search(Map.of("query", "motor controller hall sensor", "k", 3, "mode", "dense"));
        assertThat(dense.getMap("hits[0].legs")).containsOnlyKeys("dense");
        assertThat(dense.getDouble("hits[0].score")).isEqualTo(dense.getDouble("hits[0].legs.dense.score"));

        // The configured default (hybrid) applies without a mode.
        assertThat(search(Map.of("query", "QX7-3310", "k", 1)).getString("mode")).isEqualTo(config.store().search().mode());
        // Ask takes the mode too.
        given().contentType(ContentType.JSON).body(Map.of("question", "what is fault QX7-3310?", "mode", "keyword"))
                .post("/v1/ask").then().statusCode(200);
    }

    @Test
    void rerankingOrdersHitsByTheCrossEncoderAndKeepsTheirLegs() {
        Eventually.await("the sample corpus to be indexed", INGEST_TIMEOUT,
                () -> !documentIds("brake pads worn, brake lever pulls to the handlebar", 3, null).isEmpty());
        String query = "How often should I replace the brake pads?";
        JsonPath plain = search(Map.of("query", query, "k", 5, "mode", "hybrid"));
        assertThat(plain.getBoolean("reranked")).isFalse();
        assertThat(plain.getList("hits.rerankScore")).containsOnlyNulls();

        JsonPath reranked = search(Map.of("query", query, "k", 5, "mode", "hybrid", "rerank", true));
        assertThat(reranked.getBoolean("reranked")).isTrue();
        List<String> texts = reranked.getList("hits.text");
        List<Float> scores = reranked.getList("hits.rerankScore");
        assertThat(texts).hasSize(5);
        // The same candidates (ragline.retrieval.rerank.candidates = 20) whatever k: k = 3 is the top 3 of k = 5.
        // (The scores are checked against PyTorch's reference in the embedding and retrieval tests; opening the model
        // here would load the tokenizer's native library into a class loader that a later test profile clashes with.)
        JsonPath three = search(Map.of("query", query, "k", 3, "mode", "hybrid", "rerank", true));
        assertThat(three.getList("hits.chunkId")).isEqualTo(reranked.getList("hits.chunkId").subList(0, 3));
        assertThat(three.getList("hits.rerankScore")).isEqualTo(scores.subList(0, 3));
        for (int i = 1; i < scores.size(); i++) assertThat(scores.get(i)).isLessThanOrEqualTo(scores.get(i - 1));
        // Each hit still says which first-stage legs found it.
        for (int i = 0; i < texts.size(); i++) assertThat(reranked.getMap("hits[" + i + "].legs")).isNotEmpty();
        given().contentType(ContentType.JSON).body(Map.of("question", query, "rerank", true))
                .post("/v1/ask").then().statusCode(200);
    }

    @Test
    void invalidRequestsGetA400WithAClearMessage() {
        given().contentType(ContentType.JSON).body(Map.of("query", "brakes", "mode", "fuzzy")).post("/v1/search")
                .then().statusCode(400).body("message", containsString("mode: must be one of dense, keyword, hybrid"))
                .body("details[0]", containsString("mode:"));
        given().contentType(ContentType.JSON).body(Map.of("question", "brakes?", "mode", "semantic")).post("/v1/ask")
                .then().statusCode(400).body("message", containsString("mode: must be one of dense, keyword, hybrid"));
        given().contentType(ContentType.JSON).body(Map.of("query", " ", "k", 3)).post("/v1/search")
                .then().statusCode(400).body("message", containsString("query: must not be blank"));
        given().contentType(ContentType.JSON).body(Map.of("query", "brakes", "k", 0)).post("/v1/search")
                .then().statusCode(400).body("message", containsString("k: must be between 1 and 100"));
        given().contentType(ContentType.JSON).body(Map.of("query", "brakes", "filter", Map.of("team", 7))).post("/v1/search")
                .then().statusCode(400).body("message", containsString("filter 'team' must be a string or a non-empty list"));
        given().contentType(ContentType.JSON).body("{\"query\": ").post("/v1/search")
                .then().statusCode(400).body("error", equalTo("bad_request"));
        given().contentType(ContentType.JSON).post("/v1/search")
                .then().statusCode(400);
    }

    @Test
    void healthMetricsAndOpenApiAreExposed() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        search(Map.of("query", "warranty", "k", 1));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("ragline_search_latency_seconds_count", "ragline_encoder_batch_size",
                "ragline_store_chunks", "ragline_ingest_consumer_lag", "ragline_ingest_documents_total");
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("/v1/search"));
    }
}
