package dev.ragline.classifier;

import dev.ragline.classifier.train.ClassifierTrainer;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.core.HashingEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassifierArtifactTest {
    @TempDir
    Path dir;

    static ClassifierArtifact trained(OosMethod method) {
        LabeledEmbeddings train = Synthetic.blobs(60, 4, 8, 2.0, 0.9, 1);
        LabeledEmbeddings val = Synthetic.blobs(30, 4, 8, 2.0, 0.9, 2).concat(Synthetic.outliers(20, 8, 3, "oos", 3));
        return ClassifierTrainer.train(train, val, "oos", ClassifierTrainer.Options.defaults().withOosMethod(method),
                new EncoderIdentity("synthetic", "f".repeat(64), 8),
                new ClassifierTrainer.DatasetInfo("blobs", "a".repeat(64)), Map.of()).artifact();
    }

    @Test
    void roundTripsByteForByteWithEqualProbabilities() throws Exception {
        for (OosMethod method : OosMethod.values()) {
            ClassifierArtifact original = trained(method);
            Path file = dir.resolve(method + ".json");
            original.write(file);
            ClassifierArtifact loaded = ClassifierArtifact.read(file);
            assertThat(loaded.toJson()).isEqualTo(Files.readString(file));
            assertThat(loaded.head()).isEqualTo(original.head());
            assertThat(loaded.provenance()).isEqualTo(original.provenance());
            IntentModel a = new IntentModel(original), b = new IntentModel(loaded);
            for (float[] x : Synthetic.blobs(5, 4, 8, 2.0, 0.9, 9).x()) {
                assertThat(b.probabilities(x)).containsExactly(a.probabilities(x));
                assertThat(b.classify(x, 3)).isEqualTo(a.classify(x, 3));
            }
        }
    }

    @Test
    void wrongEncoderIsRefused() {
        ClassifierArtifact artifact = trained(OosMethod.MAX_PROBABILITY);
        // HashingEncoder: another checksum, and another dimension
        assertThatThrownBy(() -> IntentClassifier.of(artifact, new HashingEncoder(8, 512)))
                .isInstanceOf(IncompatibleArtifactException.class)
                .hasMessageContaining("trained on encoder synthetic")
                .hasMessageContaining("hashing-test-encoder");
        assertThatThrownBy(() -> IntentClassifier.of(artifact, new HashingEncoder(16, 512)))
                .hasMessageContaining("dimension 16");
    }

    @Test
    void otherFormatVersionMissingFileAndGarbageAreRefused() throws Exception {
        String json = trained(OosMethod.MAX_PROBABILITY).toJson().replace("\"formatVersion\" : 1", "\"formatVersion\" : 2");
        Path v2 = dir.resolve("v2.json");
        Files.writeString(v2, json);
        assertThatThrownBy(() -> ClassifierArtifact.read(v2)).isInstanceOf(IncompatibleArtifactException.class)
                .hasMessageContaining("format version 2").hasMessageContaining("reads version 1");
        assertThatThrownBy(() -> IntentClassifier.load(dir.resolve("missing.json"), new HashingEncoder()))
                .isInstanceOf(IncompatibleArtifactException.class).hasMessageContaining("not found");
        Path garbage = dir.resolve("garbage.json");
        Files.writeString(garbage, "{\"format\": \"ragline-intent-classifier\", \"formatVersion\": 1}");
        assertThatThrownBy(() -> ClassifierArtifact.read(garbage)).hasMessageContaining("malformed");
    }
}
