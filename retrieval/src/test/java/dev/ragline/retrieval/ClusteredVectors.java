package dev.ragline.retrieval;

import dev.ragline.core.Vectors;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Deterministic random unit vectors grouped around random centres, the shape of real text embeddings (topics), for
 * recall tests and the benchmark. Near neighbours within a cluster differ only by the noise, which is what makes
 * approximate and quantized search hard.
 */
public final class ClusteredVectors {
    private final float[][] centres;
    private final double noise;
    private final Random random;

    /** @param noise standard deviation of the offset from the centre, relative to the centre's length */
    public ClusteredVectors(int dimension, int clusters, double noise, long seed) {
        this.random = new Random(seed);
        this.noise = noise;
        this.centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) centres[c] = Vectors.normalize(gaussian(dimension, 1.0));
    }

    public float[] next() {
        float[] centre = centres[random.nextInt(centres.length)];
        float[] offset = gaussian(centre.length, noise);
        float[] v = new float[centre.length];
        for (int i = 0; i < v.length; i++) v[i] = centre[i] + offset[i];
        return Vectors.normalize(v);
    }

    public float[][] next(int n) {
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) vectors[i] = next();
        return vectors;
    }

    /** A vector of the given expected length with independent Gaussian components. */
    private float[] gaussian(int dimension, double length) {
        float[] v = new float[dimension];
        double scale = length / Math.sqrt(dimension);
        for (int i = 0; i < dimension; i++) v[i] = (float) (random.nextGaussian() * scale);
        return v;
    }

    /** Indexes of the k vectors with the highest dot product with the query, by brute force. */
    public static int[] exactTopK(float[][] data, float[] query, int k) {
        float[] scores = new float[data.length];
        for (int i = 0; i < data.length; i++) scores[i] = Vectors.dot(data[i], query);
        return IntStream.range(0, data.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> scores[i]).reversed())
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    /** Share of the exact top-k found among the returned indexes. */
    public static double recall(int[] exact, List<Integer> found) {
        return (double) Arrays.stream(exact).filter(found::contains).count() / exact.length;
    }
}
