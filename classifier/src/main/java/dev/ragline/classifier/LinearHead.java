package dev.ragline.classifier;

import java.util.Arrays;

/**
 * A linear classification head: {@code logits = W x + b} with one row of {@code W} per class. The head
 * works on raw encoder embeddings (any feature standardisation used in training is folded into W and b).
 */
public final class LinearHead {
    private final float[][] weights;
    private final float[] bias;

    public LinearHead(float[][] weights, float[] bias) {
        if (weights.length == 0 || weights.length != bias.length)
            throw new IllegalArgumentException("need one weight row and one bias per class, got "
                    + weights.length + " rows and " + bias.length + " biases");
        int dimension = weights[0].length;
        for (float[] row : weights) {
            if (row.length != dimension) throw new IllegalArgumentException("ragged weight matrix");
        }
        this.weights = weights;
        this.bias = bias;
    }

    public int numClasses() {
        return weights.length;
    }

    public int dimension() {
        return weights[0].length;
    }

    public double[] logits(float[] x) {
        if (x.length != dimension())
            throw new IllegalArgumentException("embedding has dimension " + x.length + ", head expects " + dimension());
        double[] out = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            float[] w = weights[k];
            double sum = bias[k];
            for (int d = 0; d < w.length; d++) sum += (double) w[d] * x[d];
            out[k] = sum;
        }
        return out;
    }

    /** Defensive copies: the head is immutable. */
    public float[][] weights() {
        float[][] copy = new float[weights.length][];
        for (int k = 0; k < weights.length; k++) copy[k] = weights[k].clone();
        return copy;
    }

    public float[] bias() {
        return bias.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearHead other && Arrays.deepEquals(weights, other.weights) && Arrays.equals(bias, other.bias);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(weights) + Arrays.hashCode(bias);
    }
}
