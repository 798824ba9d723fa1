package dev.ragline.evaluation.faithfulness;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs the judge on a real ONNX Runtime session: src/test/resources/tiny-nli is an untrained NLI-shaped model
 * (tools/tiny_cross_encoder.py), with bge-small's real tokenizer. Its scores mean nothing; the plumbing is tested.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossEncoderJudgeTest {
    Path dir;
    CrossEncoderJudge judge;

    @BeforeAll
    void open(@TempDir Path folder) throws IOException {
        dir = folder;
        Files.copy(Path.of("src/test/resources/tiny-nli/model.onnx"), dir.resolve("model.onnx"));
        Files.copy(Path.of("src/test/resources/tiny-nli/config.json"), dir.resolve("config.json"));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("bge-small-en-v1.5-tokenizer.json")) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        judge = CrossEncoderJudge.open(dir, 0.5);
    }

    @AfterAll
    void close() {
        judge.close();
    }

    @Test
    void scoresAreProbabilitiesAndDeterministic() {
        double s = judge.score("Oxygen has atomic number 8.", List.of("Oxygen is element 8 of the periodic table."));
        assertThat(s).isStrictlyBetween(0.0, 1.0);
        assertThat(judge.score("Oxygen has atomic number 8.", List.of("Oxygen is element 8 of the periodic table.")))
                .isEqualTo(s);
        assertThat(judge.score("Rollo led the Normans.", List.of("Oxygen is element 8 of the periodic table.")))
                .isNotEqualTo(s);
        assertThat(judge.modelSha256()).hasSize(64);
    }

    @Test
    void severalPassagesScoreTheirBestWindow() {
        String claim = "Scheele found oxygen.";
        double a = judge.score(claim, List.of("Scheele worked in Uppsala."));
        double b = judge.score(claim, List.of("Priestley published first."));
        assertThat(judge.score(claim, List.of("Scheele worked in Uppsala.", "Priestley published first.")))
                .isEqualTo(Math.max(a, b));
    }

    @Test
    void longPassagesAreScoredInWindowsOfWholeSentencesNotCutOff() {
        StringBuilder passage = new StringBuilder();
        for (int i = 0; i < 150; i++) passage.append("Sentence number ").append(i).append(" talks about oxygen and helium. ");
        List<String> windows = judge.windows("A claim.", List.of(passage.toString().strip()));
        assertThat(windows).hasSizeGreaterThan(1);
        assertThat(String.join(" ", windows)).isEqualTo(passage.toString().strip());
        judge.score("A claim.", List.of(passage.toString()));
        assertThat(judge.truncatedPairs()).isZero();
    }

    @Test
    void entailmentLabelComesFromConfig(@TempDir Path other) throws IOException {
        assertThat(CrossEncoderJudge.entailmentIndex(dir.resolve("config.json"))).isEqualTo(1);
        assertThat(CrossEncoderJudge.entailmentIndex(other.resolve("absent.json"))).isEqualTo(-1);
        Path bad = Files.writeString(other.resolve("config.json"), "{\"id2label\":{\"0\":\"a\",\"1\":\"b\"}}");
        assertThatThrownBy(() -> CrossEncoderJudge.entailmentIndex(bad)).hasMessageContaining("no entailment label");
        assertThatThrownBy(() -> CrossEncoderJudge.open(other, 0.5)).hasMessageContaining("needs model.onnx");
    }
}
