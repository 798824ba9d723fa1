package dev.ragline.classifier;

/** Numerically stable softmax and log-sum-exp, with an optional temperature. */
public final class Softmax {
    private Softmax() {
    }

    public static double logSumExp(double[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double z : logits) max = Math.max(max, z / temperature);
        double sum = 0;
        for (double z : logits) sum += Math.exp(z / temperature - max);
        return max + Math.log(sum);
    }

    public static double[] probabilities(double[] logits, double temperature) {
        double lse = logSumExp(logits, temperature);
        double[] p = new double[logits.length];
        for (int k = 0; k < logits.length; k++) p[k] = Math.exp(logits[k] / temperature - lse);
        return p;
    }

    public static int argmax(double[] values) {
        int best = 0;
        for (int k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
        return best;
    }
}
