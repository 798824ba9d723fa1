package dev.ragline.classifier;

import dev.ragline.classifier.data.DatasetReader;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.routing.Router;
import dev.ragline.classifier.routing.RoutingConfig;
import dev.ragline.classifier.train.ClassifierTrainer;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real ONNX encoder (bge-small-en-v1.5 int8 from the model jar) under the classifier, on the committed mini fixture. */
class OnnxIntentClassifierTest {
    static OnnxEncoder encoder;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        encoder = Encoders.open(EncoderConfig.of("bge-small-en-v1.5-q").withIntraOpThreads(1));
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    static LabeledEmbeddings embed(List<LabeledText> rows) {
        return new LabeledEmbeddings(encoder.embedPassages(rows.stream().map(LabeledText::text).toList()).toArray(float[][]::new),
                rows.stream().map(LabeledText::label).toList());
    }

    @Test
    void trainsOnRealEmbeddingsAndClassifiesParaphrases() {
        Map<String, List<LabeledText>> clinc = DatasetReader.readClinc(Fixtures.path("clinc-mini.json"));
        LabeledEmbeddings train = embed(clinc.get("train"));
        LabeledEmbeddings val = embed(clinc.get("val")).concat(embed(clinc.get("oos_val")));
        ClassifierArtifact artifact = ClassifierTrainer.train(train, val, "oos", ClassifierTrainer.Options.defaults(),
                EncoderIdentity.of(encoder), new ClassifierTrainer.DatasetInfo("clinc-mini", "c".repeat(64)), Map.of()).artifact();
        assertThat(artifact.encoder().sha256()).isEqualTo(encoder.modelSha256()).hasSize(64);
        Path file = dir.resolve("mini.json");
        artifact.write(file);

        IntentClassifier classifier = IntentClassifier.load(file, encoder);
        assertThat(classifier.classify("has my new bank card been posted yet").label()).isEqualTo("card_arrival");
        assertThat(classifier.classify("how much cash is in my account").label()).isEqualTo("balance");
        assertThat(classifier.classify("please wire 20 dollars to my brother").label()).isEqualTo("transfer");
        // passages, not queries: classification must not use bge's query instruction
        float[] asPassage = encoder.embedPassages(List.of("show my balance")).get(0);
        assertThat(classifier.model().classify(asPassage, 3)).isEqualTo(classifier.classify("show my balance", 3));
        assertThat(Router.of(classifier.artifact(), RoutingConfig.defaults()).route(classifier.classify("show my balance")).reason()).isNotBlank();
    }

    @Test
    void artifactForAnotherEncoderIsRefused() {
        ClassifierArtifact other = ClassifierArtifactTest.trained(OosMethod.MAX_PROBABILITY); // "synthetic" encoder, dimension 8
        assertThatThrownBy(() -> IntentClassifier.of(other, encoder))
                .isInstanceOf(IncompatibleArtifactException.class)
                .hasMessageContaining("bge-small-en-v1.5-q");
    }
}
