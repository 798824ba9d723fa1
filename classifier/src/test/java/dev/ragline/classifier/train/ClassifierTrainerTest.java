package dev.ragline.classifier.train;

import dev.ragline.classifier.Classification;
import dev.ragline.classifier.ClassifierArtifact;
import dev.ragline.classifier.EncoderIdentity;
import dev.ragline.classifier.IntentModel;
import dev.ragline.classifier.OosMethod;
import dev.ragline.classifier.Synthetic;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClassifierTrainerTest {
    static final EncoderIdentity ENCODER = new EncoderIdentity("synthetic", "f".repeat(64), 8);
    static final ClassifierTrainer.DatasetInfo DATASET = new ClassifierTrainer.DatasetInfo("blobs", "a".repeat(64));

    // overlapping classes, so that some validation predictions are wrong and thresholds matter
    static final LabeledEmbeddings TRAIN = Synthetic.blobs(150, 4, 8, 2.0, 0.9, 11);
    static final LabeledEmbeddings VALIDATION = Synthetic.blobs(100, 4, 8, 2.0, 0.9, 12)
            .concat(Synthetic.outliers(60, 8, 3.0, "oos", 13));

    static ClassifierTrainer.Result train(double target) {
        return ClassifierTrainer.train(TRAIN, VALIDATION, "oos",
                ClassifierTrainer.Options.defaults().withTargetSelectiveAccuracy(target), ENCODER, DATASET, Map.of("seed", 1));
    }

    @Test
    void thresholdsMeetTheirTargetsOnValidation() {
        ClassifierTrainer.Result result = train(0.98);
        ClassifierArtifact artifact = result.artifact();
        IntentModel model = new IntentModel(artifact);
        assertThat(artifact.labels()).containsExactly("c0", "c1", "c2", "c3");
        assertThat(artifact.outOfScopeLabel()).isNull(); // "oos" is not a training label here

        int inScope = 0, inScopeKept = 0, direct = 0, directRight = 0, allNotAbstained = 0, allRight = 0;
        for (int i = 0; i < VALIDATION.x().length; i++) {
            String gold = VALIDATION.labels().get(i);
            Classification c = model.classify(VALIDATION.x()[i], 1);
            if (!gold.equals("oos")) {
                inScope++;
                if (!c.outOfScope()) inScopeKept++;
            }
            if (c.outOfScope()) continue;
            allNotAbstained++;
            if (c.label().equals(gold)) allRight++;
            if (c.probability() >= artifact.confidenceThreshold()) {
                direct++;
                if (c.label().equals(gold)) directRight++;
            }
        }
        assertThat((double) inScopeKept / inScope).isGreaterThanOrEqualTo(0.95);
        assertThat(direct).isGreaterThan(0);
        assertThat((double) directRight / direct).isGreaterThanOrEqualTo(0.98);
        // the threshold is doing something: without it accuracy is below the target
        assertThat((double) allRight / allNotAbstained).isLessThan(0.98);
        assertThat(result.validationMetrics().get("validationDirectAccuracy")).isEqualTo((double) directRight / direct);
    }

    @Test
    void lowerTargetGivesLowerThresholdAndMoreCoverage() {
        ClassifierArtifact strict = train(0.99).artifact(), loose = train(0.9).artifact();
        assertThat(loose.confidenceThreshold()).isLessThan(strict.confidenceThreshold());
    }

    @Test
    void outOfScopeMethodIsTheBestOnValidation() {
        ClassifierTrainer.Result result = train(0.98);
        @SuppressWarnings("unchecked")
        Map<String, Double> aurocs = (Map<String, Double>) result.validationMetrics().get("validationOosAuroc");
        assertThat(aurocs).containsOnlyKeys("MAX_PROBABILITY", "ENERGY", "CENTROID_COSINE", "MAHALANOBIS");
        String best = aurocs.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertThat(result.artifact().oosDetector().method()).isEqualTo(OosMethod.valueOf(best));
        assertThat(aurocs.get(best)).isGreaterThan(0.9); // outliers far from all blobs
    }

    @Test
    void outOfScopeExamplesInTrainingBecomeAClass() {
        LabeledEmbeddings withOos = TRAIN.concat(Synthetic.outliers(100, 8, 3.0, "oos", 14));
        ClassifierArtifact artifact = ClassifierTrainer.train(withOos, VALIDATION, "oos",
                ClassifierTrainer.Options.defaults(), ENCODER, DATASET, Map.of()).artifact();
        assertThat(artifact.outOfScopeLabel()).isEqualTo("oos");
        assertThat(artifact.labels()).contains("oos");
        Classification c = new IntentModel(artifact).classify(Synthetic.outliers(1, 8, 3.0, "oos", 99).x()[0], 3);
        assertThat(c.outOfScope()).isTrue();
    }

    @Test
    void deterministic() {
        ClassifierArtifact a = train(0.98).artifact(), b = train(0.98).artifact();
        assertThat(a.head()).isEqualTo(b.head());
        assertThat(a.temperature()).isEqualTo(b.temperature());
        assertThat(a.confidenceThreshold()).isEqualTo(b.confidenceThreshold());
        assertThat(a.oosThreshold()).isEqualTo(b.oosThreshold());
    }

    @Test
    void provenanceRecordsEncoderDataParametersAndMetrics() {
        var p = train(0.98).artifact().provenance();
        assertThat(p.encoderSha256()).isEqualTo(ENCODER.sha256());
        assertThat(p.datasetSha256()).isEqualTo(DATASET.sha256());
        assertThat(p.parameters()).containsEntry("seed", 1).containsKey("l2Grid");
        assertThat(p.metrics()).containsKeys("validationAccuracy", "temperature", "l2", "oosThreshold");
    }

    @Test
    void validationLabelUnknownToTrainingIsRefused() {
        LabeledEmbeddings bad = new LabeledEmbeddings(new float[][]{new float[8]}, List.of("c9"));
        assertThatThrownBy(() -> ClassifierTrainer.train(TRAIN, bad, "oos", ClassifierTrainer.Options.defaults(),
                ENCODER, DATASET, Map.of())).hasMessageContaining("'c9'");
    }

    @Test
    void quantile() {
        List<Double> v = new ArrayList<>();
        for (int i = 1; i <= 20; i++) v.add((double) i);
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        assertThat(ClassifierTrainer.quantile(a, 0.95)).isEqualTo(19.0);
        assertThat(ClassifierTrainer.quantile(a, 1.0)).isEqualTo(20.0);
    }
}
