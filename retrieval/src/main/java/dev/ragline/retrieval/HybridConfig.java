package dev.ragline.retrieval;

/**
 * How a store runs keyword and hybrid searches.
 *
 * @param candidatesPerLeg chunks each leg (dense kNN, BM25) contributes to the fusion; at least k is used
 * @param rrfK             the reciprocal rank fusion constant: a chunk at rank r (from 1) in a leg adds
 *                         {@code 1 / (rrfK + r)}; 60 is the classic value (Cormack et al. 2009)
 */
public record HybridConfig(int candidatesPerLeg, int rrfK) {
    public static final int DEFAULT_CANDIDATES_PER_LEG = 100;
    public static final int DEFAULT_RRF_K = 60;

    public HybridConfig {
        if (candidatesPerLeg < 1 || candidatesPerLeg > 10_000)
            throw new IllegalArgumentException("candidatesPerLeg must be in 1..10000, was " + candidatesPerLeg);
        if (rrfK < 1) throw new IllegalArgumentException("rrfK must be at least 1, was " + rrfK);
    }

    public static HybridConfig defaults() {
        return new HybridConfig(DEFAULT_CANDIDATES_PER_LEG, DEFAULT_RRF_K);
    }

    /** Candidates per leg for a request of k results. */
    public int depth(int k) {
        return Math.max(k, candidatesPerLeg);
    }
}
