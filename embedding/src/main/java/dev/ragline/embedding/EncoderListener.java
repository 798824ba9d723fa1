package dev.ragline.embedding;

/**
 * Observes each batch the encoder runs, for metrics (the service feeds Micrometer from it, so this module
 * stays free of a metrics library). Called on the encoding thread: keep it cheap and never throw.
 */
@FunctionalInterface
public interface EncoderListener {
    /**
     * @param size   texts in the batch
     * @param tokens real tokens in the batch (padding excluded, special tokens included)
     * @param nanos  wall time of tokenisation-free inference for the batch (tensor building, model run, pooling)
     */
    void onBatch(int size, int tokens, long nanos);
}
