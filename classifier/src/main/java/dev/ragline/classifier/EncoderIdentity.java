package dev.ragline.classifier;

import dev.ragline.core.Encoder;

/**
 * Which encoder produced the embeddings a head was trained on. Texts are always embedded as passages
 * (no query instruction), at training and at classification time.
 */
public record EncoderIdentity(String modelId, String sha256, int dimension) {
    public static EncoderIdentity of(Encoder encoder) {
        return new EncoderIdentity(encoder.modelId(), encoder.modelSha256(), encoder.dimension());
    }
}
