package dev.ragline.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.app.wiring.Platform;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/documents} runs the consumer's own checks: what it accepts the consumer can index, and what it
 * refuses gets a 400 or 413 that names the limit.
 */
@QuarkusTest
@TestProfile(EmbeddedPlatformProfile.class)
class DocumentsApiTest {
    @Inject RaglineConfig config;
    @Inject Platform platform;

    @Test
    void kafkaClientPropertiesPassThroughWithDottedKeys() {
        assertThat(config.kafka().properties()).containsEntry("client.dns.lookup", "use_all_dns_ips");
        assertThat(platform.consumer().orElseThrow().config().clientOverrides()).containsEntry("client.dns.lookup", "use_all_dns_ips");
    }
    @Test
    void aDocumentOverTheEventLimitGetsA413NamingTheLimitNotA500() {
        String text = "word ".repeat(400_000); // about 2 MB
        given().contentType(ContentType.JSON).body(Map.of("id", "big", "version", 1, "text", text)).post("/v1/documents")
                .then().statusCode(413).body("message", containsString("over the limit of 1000000"))
                .body("message", containsString("ragline.ingestion.max-event-bytes"));
    }

    @Test
    void whatTheConsumerWouldDeadLetterIsRefusedWithTheSameReason() {
        given().contentType(ContentType.JSON).body(Map.of("id", "deep", "version", 1, "contentType", "text/markdown",
                        "text", "> ".repeat(10_000) + "deep")).post("/v1/documents")
                .then().statusCode(400).body("message", containsString("Markdown nests"));
        given().contentType(ContentType.JSON).body(Map.of("id", "meta", "version", 1, "text", "hello",
                        "metadata", Map.of("k", "v".repeat(40_000)))).post("/v1/documents")
                .then().statusCode(413).body("message", containsString("max-metadata-value-bytes"));
        given().contentType(ContentType.JSON).body(Map.of("id", "x".repeat(600), "version", 1, "text", "hello")).post("/v1/documents")
                .then().statusCode(413).body("message", containsString("max-id-bytes"));
        given().contentType(ContentType.JSON).body(Map.of("id", "empty-html", "version", 1, "contentType", "text/html",
                        "text", "<script>x()</script>")).post("/v1/documents")
                .then().statusCode(400).body("message", containsString("no text after parsing"));
        given().delete("/v1/documents/x?version=-1").then().statusCode(400);
    }

    @Test
    void healthShowsTheIngestionStateAndMetricsTheNewGauges() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItem("ingestion"))
                .body("checks.find { it.name == 'ingestion' }.data.state", equalTo("RUNNING"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("ragline_ingest_stalled_seconds", "ragline_ingest_consumer_up 1.0",
                "ragline_ingest_partitions", "ragline_ingest_commit_failures_total");
    }
}
