package dev.ragline.embedding;

import dev.ragline.core.Encoder;
import dev.ragline.core.Vectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped distilled query encoder against its real teacher, bge-small-en-v1.5 (both real ONNX models). */
class DistilledQueryEncoderTest {
    static final Path MODEL = Path.of("models", "bge-small-en-v1.5-query-4l");

    private static final List<String> PASSAGES = List.of(
            "A full charge from empty takes about four hours with the supplied 2 A charger.",
            "Replace the brake pads when the groove is worn away or the lever pulls to the handlebar.",
            "Aspirin inhibits the cyclooxygenase enzymes and thereby reduces prostaglandin synthesis.",
            "Kafka keeps the events of one key in order within a partition, so a consumer sees updates in sequence.",
            "The Treaty of Westphalia of 1648 ended the Thirty Years' War in the Holy Roman Empire.",
            "Error E-042 means the motor controller lost the hall sensor signal; check the connector.");
    private static final List<String> QUERIES = List.of(
            "how long does charging take",
            "when should I change brake pads",
            "does aspirin reduce prostaglandins",
            "are kafka messages ordered",
            "which treaty ended the thirty years war",
            "what does error E-042 mean");

    private static OnnxEncoder teacher;
    private static OnnxEncoder student;

    @BeforeAll
    static void open() {
        teacher = Encoders.open(EncoderConfig.defaults());
        student = DistilledQueryEncoder.open(MODEL, teacher, EncoderConfig.defaults());
    }

    @AfterAll
    static void close() {
        student.close();
        teacher.close();
    }

    @Test
    void queryVectorsLandNextToTheTeachersOwnAndRankPassagesAlike() {
        List<float[]> passages = teacher.embedPassages(PASSAGES);
        List<float[]> target = teacher.embedPassages(QUERIES); // what the student was trained on: no instruction
        List<float[]> distilled = student.embedQueries(QUERIES);
        for (int q = 0; q < QUERIES.size(); q++) {
            assertThat(Vectors.dot(distilled.get(q), target.get(q))).as(QUERIES.get(q)).isGreaterThan(0.8f);
            assertThat(ranking(distilled.get(q), passages)).as(QUERIES.get(q)).startsWith(q);
            assertThat(ranking(target.get(q), passages)).as(QUERIES.get(q)).startsWith(q);
        }
    }

    @Test
    void theSplitEncoderSendsPassagesToTheTeacherAndQueriesToTheStudent() {
        Encoder split = DistilledQueryEncoder.split(teacher, student);
        assertThat(split.modelSha256()).isEqualTo(teacher.modelSha256());
        assertThat(split.embedPassages(PASSAGES.subList(0, 1)).getFirst()).isEqualTo(teacher.embedPassages(PASSAGES.subList(0, 1)).getFirst());
        assertThat(split.embedQuery(QUERIES.getFirst())).isEqualTo(student.embedQuery(QUERIES.getFirst()))
                .isNotEqualTo(teacher.embedQuery(QUERIES.getFirst()));
        assertThat(split.countTokens(PASSAGES.getFirst())).isEqualTo(teacher.countTokens(PASSAGES.getFirst()));
    }

    @Test
    void aQueryEncoderOfAnotherPassageModelIsRefused() {
        try (OnnxEncoder other = Encoders.open(EncoderConfig.of("bge-small-en-v1.5-q"))) {
            assertThatThrownBy(() -> DistilledQueryEncoder.open(MODEL, other, EncoderConfig.defaults()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("was distilled from").hasMessageContaining(teacher.modelSha256())
                    .hasMessageContaining("would not match the index");
        }
    }

    @Test
    void aFolderWithoutItsProvenanceIsRefused(@TempDir Path dir) throws Exception {
        Files.copy(MODEL.resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.copy(MODEL.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> DistilledQueryEncoder.open(dir, teacher, EncoderConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query-encoder.json");
    }

    /** Passage indexes by descending similarity to the query. */
    private static List<Integer> ranking(float[] query, List<float[]> passages) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < passages.size(); i++) order.add(i);
        order.sort((a, b) -> Float.compare(Vectors.dot(query, passages.get(b)), Vectors.dot(query, passages.get(a))));
        return order;
    }
}
