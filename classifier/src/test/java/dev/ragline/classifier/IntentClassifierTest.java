package dev.ragline.classifier;

import dev.ragline.classifier.data.DatasetReader;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.routing.RouteType;
import dev.ragline.classifier.routing.Router;
import dev.ragline.classifier.routing.RoutingConfig;
import dev.ragline.classifier.train.ClassifierTrainer;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.core.HashingEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Texts in, routes out, on the committed CLINC-layout fixture with the hashing test encoder. */
class IntentClassifierTest {
    @TempDir
    Path dir;

    static LabeledEmbeddings embed(HashingEncoder encoder, List<LabeledText> rows) {
        return new LabeledEmbeddings(encoder.embedPassages(rows.stream().map(LabeledText::text).toList()).toArray(float[][]::new),
                rows.stream().map(LabeledText::label).toList());
    }

    @Test
    void trainSaveLoadClassifyRoute() {
        HashingEncoder encoder = new HashingEncoder(64, 512);
        Map<String, List<LabeledText>> clinc = DatasetReader.readClinc(Fixtures.path("clinc-mini.json"));
        LabeledEmbeddings train = embed(encoder, clinc.get("train"));
        LabeledEmbeddings val = embed(encoder, clinc.get("val")).concat(embed(encoder, clinc.get("oos_val")));
        ClassifierArtifact artifact = ClassifierTrainer.train(train, val, "oos",
                ClassifierTrainer.Options.defaults().withTargetSelectiveAccuracy(0.9), EncoderIdentity.of(encoder),
                new ClassifierTrainer.DatasetInfo("clinc-mini", "b".repeat(64)), Map.of()).artifact();
        Path file = dir.resolve("a.json");
        artifact.write(file);

        IntentClassifier classifier = IntentClassifier.load(file, encoder);
        Classification c = classifier.classify("when will my card arrive", 2);
        assertThat(c.label()).isEqualTo("card_arrival");
        assertThat(c.topLabels()).hasSize(2);
        assertThat(c.topLabels().get(0).probability()).isGreaterThanOrEqualTo(c.topLabels().get(1).probability());
        assertThat(classifier.classifyAll(List.of("show my balance", "send money to my friend"), 1))
                .extracting(Classification::label).containsExactly("balance", "transfer");

        Router router = Router.of(classifier.artifact(), RoutingConfig.defaults());
        var route = router.route(c);
        assertThat(route.type()).isIn(RouteType.DIRECT, RouteType.GENERATE);
        assertThat(route.intent()).isEqualTo("card_arrival");
        assertThat(route.reason()).isNotBlank();
    }
}
