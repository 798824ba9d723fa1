package dev.ragline.app;

import static dev.ragline.app.SearchApiTest.documentIds;
import static dev.ragline.app.SearchApiTest.search;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.app.wiring.Platform;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ingestion → search path with a real Qdrant server as the store and the distilled query encoder. */
@QuarkusTest
@TestProfile(QdrantPlatformProfile.class)
class QdrantSearchApiTest {
    @Inject Platform platform;
    @Inject RaglineConfig config;
    @Inject dev.ragline.core.ChunkStore store;
    @Inject dev.ragline.core.Encoder encoder;

    @Test
    void documentsFlowFromKafkaIntoQdrantAndBackOutThroughSearch() {
        assertThat(store).isInstanceOf(QdrantChunkStore.class);
        try (var topic = new DocumentTopic(platform.bootstrapServers(), config.kafka().topic())) {
            topic.send("ops-1", """
                    {"id": "ops-1", "title": "Pager rota", "version": 1, "metadata": {"team": "ops"},
                     "text": "The on-call engineer answers pages within fifteen minutes, day and night."}
                    """);
            topic.send("hr-1", """
                    {"id": "hr-1", "title": "Holidays", "version": 1, "metadata": {"team": "hr"},
                     "text": "Every employee has twenty-eight days of paid holiday per year."}
                    """);
            Eventually.await("both documents in Qdrant", Duration.ofSeconds(90), () -> store.count() >= 2);
        }
        assertThat(documentIds("how fast must on-call respond to a page?", 2, null).get(0)).isEqualTo("ops-1");
        assertThat(documentIds("how fast must on-call respond to a page?", 2, Map.of("team", "hr"))).containsExactly("hr-1");
        assertThat(search(Map.of("query", "paid holiday", "k", 1)).getString("hits[0].title")).isEqualTo("Holidays");
        // Keyword (server-side BM25) and hybrid (Query API RRF) through the API, with the filter on both legs.
        var keyword = search(Map.of("query", "twenty-eight days", "k", 2, "mode", "keyword"));
        assertThat(keyword.getString("hits[0].documentId")).isEqualTo("hr-1");
        assertThat(keyword.getInt("hits[0].legs.keyword.rank")).isEqualTo(1);
        var hybrid = search(Map.of("query", "pages fifteen minutes", "k", 2, "mode", "hybrid", "filter", Map.of("team", "ops")));
        assertThat(hybrid.getList("hits.documentId")).containsExactly("ops-1");
        assertThat(hybrid.getInt("hits[0].legs.keyword.rank")).isEqualTo(1);
        assertThat(hybrid.getInt("hits[0].legs.dense.rank")).isEqualTo(1);
    }

    /** The profile sets ragline.encoder.query-model: searches encode queries with it, passages stay with bge. */
    @Test
    void queriesAreEncodedByTheDistilledQueryEncoderAndPassagesByTheirOwnModel() {
        var passages = platform.onnxEncoder();
        assertThat(encoder.modelSha256()).isEqualTo(passages.modelSha256());
        assertThat(encoder.embedPassages(java.util.List.of("paid holiday")).getFirst())
                .isEqualTo(passages.embedPassages(java.util.List.of("paid holiday")).getFirst());
        float[] query = encoder.embedQuery("how many days of paid holiday do I get?");
        assertThat(query).isNotEqualTo(passages.embedQuery("how many days of paid holiday do I get?"));
        assertThat(dev.ragline.core.Vectors.dot(query, passages.embedPassages(
                java.util.List.of("how many days of paid holiday do I get?")).getFirst())).isGreaterThan(0.8f);
    }

    @Test
    void rerankingWithoutAConfiguredModelIsA400NamingTheField() {
        given().contentType(ContentType.JSON).body(Map.of("query", "paid holiday", "rerank", true)).post("/v1/search")
                .then().statusCode(400).body("message", containsString("rerank: no reranking model is configured"))
                .body("details[0]", containsString("rerank:"));
        given().contentType(ContentType.JSON).body(Map.of("question", "paid holiday?", "rerank", true)).post("/v1/ask")
                .then().statusCode(400).body("message", containsString("rerank: no reranking model is configured"));
        // false (or absent) is the first stage alone
        assertThat(search(Map.of("query", "paid holiday", "k", 1, "rerank", false)).getBoolean("reranked")).isFalse();
    }
}
