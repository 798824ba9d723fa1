package dev.ragline.classifier;

import dev.ragline.core.Encoder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Classifies texts: encoder (as passages, no query instruction, as in training) + trained head +
 * temperature + out-of-scope score. Thread-safe if the encoder is.
 */
public final class IntentClassifier {
    public static final int DEFAULT_TOP_K = 5;

    private final Encoder encoder;
    private final IntentModel model;

    private IntentClassifier(Encoder encoder, IntentModel model) {
        this.encoder = encoder;
        this.model = model;
    }

    /**
     * Loads an artifact for this encoder.
     *
     * @throws IncompatibleArtifactException if the file is missing, malformed, of another format
     *                                       version, or was trained on another encoder
     */
    public static IntentClassifier load(Path artifact, Encoder encoder) {
        return of(ClassifierArtifact.read(artifact), encoder);
    }

    public static IntentClassifier of(ClassifierArtifact artifact, Encoder encoder) {
        artifact.checkEncoder(EncoderIdentity.of(encoder));
        return new IntentClassifier(encoder, new IntentModel(artifact));
    }

    public Classification classify(String text) {
        return classify(text, DEFAULT_TOP_K);
    }

    public Classification classify(String text, int topK) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("text to classify must not be blank");
        return model.classify(encoder.embedPassages(List.of(text)).get(0), topK);
    }

    public List<Classification> classifyAll(List<String> texts, int topK) {
        for (String text : texts) {
            if (text == null || text.isBlank()) throw new IllegalArgumentException("text to classify must not be blank");
        }
        List<float[]> embeddings = encoder.embedPassages(texts);
        List<Classification> out = new ArrayList<>(texts.size());
        for (float[] e : embeddings) out.add(model.classify(e, topK));
        return out;
    }

    public IntentModel model() {
        return model;
    }

    public ClassifierArtifact artifact() {
        return model.artifact();
    }

    public List<String> labels() {
        return model.artifact().labels();
    }
}
