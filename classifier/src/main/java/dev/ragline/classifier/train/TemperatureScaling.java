package dev.ragline.classifier.train;

import dev.ragline.classifier.Softmax;

/**
 * Temperature scaling (Guo et al. 2017): one scalar T divides the logits; fitted by minimising the
 * negative log-likelihood on held-out data (the validation split, never test). NLL is convex in 1/T, so
 * a golden-section search over log T finds the optimum.
 */
public final class TemperatureScaling {
    static final double MIN_T = 0.01;
    static final double MAX_T = 100;

    private TemperatureScaling() {
    }

    public static double fit(double[][] logits, int[] gold) {
        if (logits.length == 0 || logits.length != gold.length)
            throw new IllegalArgumentException("need as many labels as logit rows, got " + logits.length + " and " + gold.length);
        double phi = (Math.sqrt(5) - 1) / 2;
        double a = Math.log(MIN_T), b = Math.log(MAX_T);
        double c = b - phi * (b - a), d = a + phi * (b - a);
        double fc = nll(logits, gold, Math.exp(c)), fd = nll(logits, gold, Math.exp(d));
        while (b - a > 1e-6) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - phi * (b - a);
                fc = nll(logits, gold, Math.exp(c));
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + phi * (b - a);
                fd = nll(logits, gold, Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /** Mean NLL of the gold labels under softmax(logits / T). */
    public static double nll(double[][] logits, int[] gold, double temperature) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            sum += Softmax.logSumExp(logits[i], temperature) - logits[i][gold[i]] / temperature;
        }
        return sum / logits.length;
    }
}
