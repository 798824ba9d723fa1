package dev.ragline.generation.reader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.core.Provenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The bundled reader in ONNX Runtime Java agrees with the training code's PyTorch reference
 * ({@code generation/training/reader/export_reader.py} wrote {@code reader-fixture.json} from the same int8
 * weights): the same token ids from the Java tokenizer as from the training tokenizer, the same logits to float
 * rounding, the same best span per window.
 */
class ReaderReferenceTest {
    static ExtractiveReader reader;
    static JsonNode fixture;

    @BeforeAll
    static void open() throws Exception {
        reader = ExtractiveReader.bundled(2);
        try (InputStream in = ReaderReferenceTest.class.getResourceAsStream("/reader-fixture.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
    }

    @AfterAll
    static void close() {
        reader.close();
    }

    @Test
    void bundledModelIsTheOneTheFixtureWasWrittenFrom() throws Exception {
        Path model = Path.of("models/ragline-reader-bge-small-v2.onnx");
        assertThat(Provenance.sha256(model)).isEqualTo(fixture.get("model_sha256").asText());
        assertThat(reader.settings().margin().name()).isEqualToIgnoringCase(fixture.get("margin").asText());
    }

    @Test
    void javaTokenIdsLogitsAndSpansMatchThePythonReference() {
        int windows = 0;
        for (JsonNode c : fixture.get("cases")) {
            List<String> passages = new ArrayList<>();
            c.get("passages").forEach(p -> passages.add(p.asText()));
            List<ExtractiveReader.WindowLogits> got = reader.logits(c.get("question").asText(), passages);
            JsonNode expected = c.get("windows");
            assertThat(got).hasSize(expected.size());
            for (int w = 0; w < got.size(); w++, windows++) {
                var g = got.get(w);
                JsonNode e = expected.get(w);
                assertThat(g.passage()).isEqualTo(e.get("passage").asInt());
                long[] ids = new long[e.get("ids").size()];
                for (int i = 0; i < ids.length; i++) ids[i] = e.get("ids").get(i).asLong();
                assertThat(g.ids()).as("token ids, case %s window %d", c.get("question"), w).containsExactly(ids);
                for (int i = 0; i < ids.length; i++) {
                    assertThat((double) g.start()[i]).isCloseTo(e.get("start_logits").get(i).asDouble(), within(2e-3));
                    assertThat((double) g.end()[i]).isCloseTo(e.get("end_logits").get(i).asDouble(), within(2e-3));
                }
                assertThat((double) g.answerable()).isCloseTo(e.get("answerable_logit").asDouble(), within(2e-3));
                JsonNode span = e.get("best_span");
                assertThat(g.best().start()).isEqualTo(span.get(1).asInt());
                assertThat(g.best().end()).isEqualTo(span.get(2).asInt());
                assertThat(g.best().score()).isCloseTo(span.get(0).asDouble(), within(4e-3));
            }
        }
        assertThat(windows).as("the long passage is read in several windows").isGreaterThan(fixture.get("cases").size());
    }

    @Test
    void modelFileStaysSmall() throws Exception {
        assertThat(Files.size(Path.of("models/ragline-reader-bge-small-v2.onnx"))).isLessThan(40L << 20);
    }
}
