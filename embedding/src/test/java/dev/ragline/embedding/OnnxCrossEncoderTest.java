package dev.ragline.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The cross-encoder on a real ONNX Runtime session with the tiny fixture model (test-fixtures/tiny-reranker, built
 * by tools/tiny_reranker.py): its tokens and scores must match what PyTorch computed for the same pairs.
 */
class OnnxCrossEncoderTest {
    static final Path FIXTURE = Path.of("test-fixtures/tiny-reranker");
    private static OnnxCrossEncoder model;
    private static JsonNode pairs;

    @BeforeAll
    static void open() throws IOException {
        model = OnnxCrossEncoder.open(FIXTURE.resolve("model.onnx"), FIXTURE.resolve("tokenizer.json"), 512, 0);
        pairs = new ObjectMapper().readTree(FIXTURE.resolve("reference.json").toFile()).path("pairs");
        assertThat(pairs.size()).isGreaterThanOrEqualTo(6);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static long[] longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    @Test
    void tokenisesPairsAsTheReferenceDid() {
        for (JsonNode pair : pairs) {
            long[][] tokens = model.tokenize(pair.path("query").asText(), pair.path("passage").asText());
            assertThat(tokens[0]).as(pair.path("passage").asText()).containsExactly(longs(pair.path("input_ids")));
            assertThat(tokens[1]).containsExactly(longs(pair.path("token_type_ids")));
        }
    }

    @Test
    void scoresMatchThePythonReferenceOneByOneAndInBatches() {
        List<Double> expected = new ArrayList<>();
        for (JsonNode pair : pairs) {
            // LangChain4j's ScoringModel.score(text, query): the passage first
            double one = model.score(pair.path("passage").asText(), pair.path("query").asText()).content();
            assertThat(one).as(pair.path("passage").asText()).isCloseTo(pair.path("score").asDouble(), within(1e-4));
            expected.add(pair.path("score").asDouble());
        }
        // Different queries cannot share a call; the reference query's passages can: batched and padded together.
        JsonNode first = pairs.get(0);
        List<TextSegment> segments = new ArrayList<>();
        List<Double> sameQuery = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (!pairs.get(i).path("query").asText().equals(first.path("query").asText())) continue;
            segments.add(TextSegment.from(pairs.get(i).path("passage").asText()));
            sameQuery.add(expected.get(i));
        }
        Response<List<Double>> response = model.scoreAll(segments, first.path("query").asText());
        assertThat(response.content()).hasSize(segments.size());
        for (int i = 0; i < segments.size(); i++)
            assertThat(response.content().get(i)).isCloseTo(sameQuery.get(i), within(1e-4));
        assertThat(response.tokenUsage().inputTokenCount()).isPositive();
        assertThat(sameQuery.stream().distinct()).hasSize(sameQuery.size()); // scores that can order passages
    }

    @Test
    void refusesWhatItCannotRun() {
        assertThatThrownBy(() -> OnnxCrossEncoder.open(FIXTURE.resolve("missing.onnx"), FIXTURE.resolve("tokenizer.json"), 512, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.onnx");
        OnnxCrossEncoder closing = OnnxCrossEncoder.open(FIXTURE.resolve("model.onnx"), FIXTURE.resolve("tokenizer.json"), 512, 1);
        assertThat(closing.modelSha256()).hasSize(64);
        closing.close();
        closing.close(); // idempotent
        assertThatThrownBy(() -> closing.score("p", "q")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void longPassagesAreCutToTheWindow() {
        String passage = "vitamin ".repeat(2000);
        long[][] tokens = model.tokenize("bone fractures", passage);
        assertThat(tokens[0]).hasSize(512);
        assertThat(model.score("bone fractures", List.of(passage, "short passage"))).hasSize(2);
    }
}
