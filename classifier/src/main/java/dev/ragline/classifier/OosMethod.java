package dev.ragline.classifier;

/** How the out-of-scope score is computed; higher always means "more likely out of scope". */
public enum OosMethod {
    /** 1 - highest calibrated probability of an in-scope intent (Hendrycks and Gimpel's baseline). */
    MAX_PROBABILITY,
    /** Negative log-sum-exp of the in-scope logits (the energy score of Liu et al. 2020). */
    ENERGY,
    /** 1 - highest cosine similarity between the embedding and an in-scope class centroid. */
    CENTROID_COSINE,
    /** Smallest Mahalanobis distance (squared) to an in-scope class mean, with a shared covariance (Lee et al. 2018). */
    MAHALANOBIS
}
