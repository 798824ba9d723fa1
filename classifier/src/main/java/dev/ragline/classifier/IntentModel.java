package dev.ragline.classifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A loaded artifact that classifies embeddings (no encoder needed): the evaluation harness and the
 * report use it on cached embeddings; {@link IntentClassifier} wraps it with an encoder for texts.
 */
public final class IntentModel {
    private final ClassifierArtifact artifact;
    private final int outOfScopeIndex;

    public IntentModel(ClassifierArtifact artifact) {
        this.artifact = artifact;
        this.outOfScopeIndex = artifact.outOfScopeLabel() == null ? -1 : artifact.labels().indexOf(artifact.outOfScopeLabel());
    }

    public ClassifierArtifact artifact() {
        return artifact;
    }

    /** Raw head outputs, before temperature scaling. */
    public double[] logits(float[] embedding) {
        return artifact.head().logits(embedding);
    }

    /** Temperature-scaled probabilities, in label order. */
    public double[] probabilities(float[] embedding) {
        return Softmax.probabilities(logits(embedding), artifact.temperature());
    }

    public Classification classify(float[] embedding, int topK) {
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1");
        double[] logits = logits(embedding);
        double[] p = Softmax.probabilities(logits, artifact.temperature());
        Integer[] order = new Integer[p.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> p[i]).reversed());
        List<ScoredLabel> top = new ArrayList<>(Math.min(topK, p.length));
        for (int j = 0; j < Math.min(topK, p.length); j++) top.add(new ScoredLabel(artifact.labels().get(order[j]), p[order[j]]));
        double oosScore = artifact.oosDetector().score(embedding, logits, p);
        boolean outOfScope = order[0] == outOfScopeIndex || oosScore > artifact.oosThreshold();
        return new Classification(artifact.labels().get(order[0]), p[order[0]], top, oosScore,
                artifact.oosDetector().method(), outOfScope);
    }
}
