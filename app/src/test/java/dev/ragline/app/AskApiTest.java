package dev.ragline.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.ragline.generation.GroundedPrompt;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Classification and the routed ask flow with the real parts: the committed Velora classifier artifact (trained for the
 * sample corpus, classifier/data/velora) on the bge encoder with config/routing.json, the Lucene store fed from Kafka with the sample corpus, and the committed GGUF reader in-process.
 */
@QuarkusTest
@TestProfile(EmbeddedPlatformProfile.class)
class AskApiTest {

    @BeforeEach
    void sampleCorpusIndexed() {
        Eventually.await("the sample corpus to be indexed", Duration.ofSeconds(90),
                () -> !SearchApiTest.documentIds("brake pads", 1, null).isEmpty());
    }

    static JsonPath post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void classifyReturnsACalibratedIntentAndItsRoute() {
        JsonPath c = post("/v1/classify", Map.of("text", "the bike doesnt show up in the app", "topK", 3));
        assertThat(c.getString("label")).isEqualTo("pair_app");
        assertThat(c.getDouble("probability")).isBetween(0.0, 1.0);
        List<Float> probabilities = c.getList("topLabels.probability", Float.class);
        assertThat(probabilities).hasSize(3).isSortedAccordingTo((a, b) -> Float.compare(b, a));
        assertThat(c.getString("topLabels[0].label")).isEqualTo("pair_app");
        assertThat(c.getString("route.type")).isIn("DIRECT", "GENERATE");
        assertThat(c.getString("route.reason")).isNotBlank();

        JsonPath oos = post("/v1/classify", Map.of("text", "what is the credit limit on my card"));
        assertThat(oos.getDouble("outOfScopeScore")).isGreaterThan(c.getDouble("outOfScopeScore"));
        assertThat(oos.getString("route.type")).isEqualTo("ABSTAIN");
    }

    @Test
    void aFrequentHowToQuestionIsAnsweredDirectlyFromThePassageTaggedForItsIntent() {
        JsonPath a = post("/v1/ask", Map.of("question", "How often should I replace the brake pads?"));
        assertThat(a.getString("route.type")).isEqualTo("DIRECT");
        assertThat(a.getString("route.intent")).isEqualTo("replace_brake_pads");
        assertThat(a.getBoolean("abstained")).isFalse();
        assertThat(a.getString("answer")).contains("every 1,500 to 3,000 km");
        assertThat(a.getString("citations[0].documentId")).isEqualTo("brakes.txt");
        assertThat(a.getMap("citations[0]")).containsEntry("answerStart", 0);
        assertThat(a.getString("model")).isNull(); // no decoder call
        assertThat(a.getDouble("latencyMs.generate")).isLessThan(50.0);
    }

    @Test
    void anotherProductQuestionIsGeneratedWithCitations() {
        JsonPath a = post("/v1/ask", Map.of("question", "Will the battery get me 60 km to work and back?"));
        assertThat(a.getString("route.type")).isEqualTo("GENERATE");
        assertThat(a.getString("route.intent")).isEqualTo("battery_range");
        assertThat(a.getString("route.reason")).contains("not configured for direct answers");
        String answer = a.getString("answer");
        assertThat(answer).isNotBlank();
        if (!a.getBoolean("abstained")) {
            // Constrained decoding: the answer is a verbatim span of a cited passage.
            assertThat(a.getList("citations")).isNotEmpty();
            assertThat(a.getString("citations[0].text")).contains(answer);
            assertThat(a.getInt("citations[0].answerStart")).isGreaterThanOrEqualTo(0);
        } else {
            assertThat(answer).isEqualTo(GroundedPrompt.ABSTAIN);
        }
        assertThat(a.getDouble("latencyMs.generate")).isPositive();
        assertThat(a.getString("model")).isNotBlank();
        assertThat(a.getDouble("latencyMs.total")).isGreaterThanOrEqualTo(a.getDouble("latencyMs.generate"));
    }

    @Test
    void smallTalkIsAnsweredDirectlyFromTheConfiguredTemplateWithoutTheDecoder() {
        JsonPath a = post("/v1/ask", Map.of("question", "hello there!"));
        assertThat(a.getString("route.type")).isEqualTo("DIRECT");
        assertThat(a.getString("route.intent")).isEqualTo("greeting");
        assertThat(a.getString("answer")).startsWith("Hello! Ask me anything about the Velora Aero");
        assertThat(a.getDouble("latencyMs.generate")).isLessThan(50.0);
        assertThat(a.getString("model")).isNull();
    }

    @Test
    void anOutOfScopeQuestionAbstainsWithoutTheDecoder() {
        JsonPath a = post("/v1/ask", Map.of("question", "who wrote pride and prejudice"));
        assertThat(a.getString("route.type")).isEqualTo("ABSTAIN");
        assertThat(a.getString("route.intent")).isEqualTo("oos");
        assertThat(a.getBoolean("abstained")).isTrue();
        assertThat(a.getString("answer")).isEqualTo(GroundedPrompt.ABSTAIN);
        assertThat(a.getDouble("latencyMs.generate")).isZero();
    }

    @Test
    void nonsenseOutsideEveryIntentAndDocumentIsAbstainedWithoutTheDecoder() {
        JsonPath a = post("/v1/ask", Map.of("question", "zorblax quintessence of the purple hyperdrive llama festival?"));
        assertThat(a.getString("route.type")).isEqualTo("ABSTAIN");
        assertThat(a.getBoolean("abstained")).isTrue();
        assertThat(a.getString("answer")).isEqualTo(GroundedPrompt.ABSTAIN);
        assertThat(a.getDouble("latencyMs.generate")).isZero();
    }

    @Test
    void streamingSendsRouteThenTokensThenCitationsThenDone() {
        String body = given().contentType(ContentType.JSON).accept("text/event-stream")
                .body(Map.of("question", "Will the battery get me 60 km to work and back?"))
                .post("/v1/ask/stream").then().statusCode(200).extract().asString();
        List<String> events = new ArrayList<>();
        for (String line : body.split("\n")) if (line.startsWith("event:")) events.add(line.substring(6).strip());
        assertThat(events).isNotEmpty();
        assertThat(events.get(0)).isEqualTo("route");
        assertThat(events.subList(1, events.size() - 2)).isNotEmpty().containsOnly("token");
        assertThat(events.subList(events.size() - 2, events.size())).containsExactly("citations", "done");
        assertThat(body).contains("\"type\":\"GENERATE\"");
    }

    @Test
    void invalidAsksGetA400() {
        given().contentType(ContentType.JSON).body(Map.of("question", "")).post("/v1/ask")
                .then().statusCode(400).body("message", containsString("question: must not be blank"));
        given().contentType(ContentType.JSON).body(Map.of("question", "brakes?", "k", 50)).post("/v1/ask")
                .then().statusCode(400).body("message", containsString("k: must be between 1 and 20"));
        given().contentType(ContentType.JSON).body(Map.of("text", "")).post("/v1/classify")
                .then().statusCode(400).body("message", containsString("text: must not be blank"));
    }
}
