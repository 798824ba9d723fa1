package dev.ragline.classifier.train;

import dev.ragline.classifier.LinearHead;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Multinomial logistic regression with L2 regularisation, trained full-batch with L-BFGS. Minimises
 * {@code mean cross-entropy + (l2 / 2) * ||W||^2} (the bias is not regularised). Features are
 * standardised per dimension when asked (better conditioning, so fewer iterations); the standardisation
 * is folded back into the returned head, which therefore takes raw embeddings. Deterministic: the work
 * is cut into a fixed number of blocks whose partial sums are added in a fixed order, whatever the
 * number of threads.
 */
public final class SoftmaxRegression {

    /**
     * @param l2            regularisation strength (on the standardised features when {@code standardize})
     * @param maxIterations L-BFGS iterations at most
     * @param standardize   train on per-dimension z-scored features
     */
    public record Options(double l2, int maxIterations, double gradientTolerance, double relativeTolerance,
                          boolean standardize) {
        public Options {
            if (l2 < 0) throw new IllegalArgumentException("l2 must be >= 0");
        }

        public static Options of(double l2) {
            return new Options(l2, 300, 1e-5, 1e-9, true);
        }

        public Options withMaxIterations(int iterations) {
            return new Options(l2, iterations, gradientTolerance, relativeTolerance, standardize);
        }

        public Options withStandardize(boolean value) {
            return new Options(l2, maxIterations, gradientTolerance, relativeTolerance, value);
        }
    }

    /** The fitted head plus the loss after each L-BFGS iteration, for diagnostics and tests. */
    public record Fit(LinearHead head, List<Double> lossHistory, int iterations, boolean converged, double[] parameters) {
    }

    private static final int BLOCKS = 16;

    private SoftmaxRegression() {
    }

    public static Fit fit(float[][] x, int[] y, int numClasses, Options options) {
        return fit(x, y, numClasses, options, null);
    }

    /**
     * @param warmStart parameters of an earlier {@link Fit} on the same data (for a regularisation path), or null
     */
    public static Fit fit(float[][] x, int[] y, int numClasses, Options options, double[] warmStart) {
        int n = x.length;
        if (n == 0 || n != y.length) throw new IllegalArgumentException("need as many labels as examples, got " + n + " and " + y.length);
        int dim = x[0].length;
        for (int i = 0; i < n; i++) {
            if (x[i].length != dim) throw new IllegalArgumentException("example " + i + " has dimension " + x[i].length + ", expected " + dim);
            if (y[i] < 0 || y[i] >= numClasses) throw new IllegalArgumentException("label " + y[i] + " outside 0.." + (numClasses - 1));
        }
        double[] mean = new double[dim];
        double[] scale = new double[dim];
        java.util.Arrays.fill(scale, 1.0);
        if (options.standardize()) {
            for (float[] row : x) for (int d = 0; d < dim; d++) mean[d] += row[d];
            for (int d = 0; d < dim; d++) mean[d] /= n;
            double[] var = new double[dim];
            for (float[] row : x) for (int d = 0; d < dim; d++) var[d] += (row[d] - mean[d]) * (row[d] - mean[d]);
            for (int d = 0; d < dim; d++) scale[d] = Math.max(Math.sqrt(var[d] / n), 1e-8);
        }
        double[] z = new double[n * dim]; // standardised features, row-major
        for (int i = 0; i < n; i++) for (int d = 0; d < dim; d++) z[i * dim + d] = (x[i][d] - mean[d]) / scale[d];

        Problem problem = new Problem(z, y, n, dim, numClasses, options.l2());
        double[] start = warmStart != null ? warmStart.clone() : new double[problem.size()];
        if (start.length != problem.size()) throw new IllegalArgumentException("warm start has the wrong size");
        Lbfgs.Result result = new Lbfgs(options.maxIterations(), options.gradientTolerance(), options.relativeTolerance())
                .minimize(problem::valueAndGradient, start);
        return new Fit(fold(result.x(), mean, scale, dim, numClasses), result.values(), result.iterations(),
                result.converged(), result.x());
    }

    /** Turns parameters on standardised features into a head on raw features. */
    private static LinearHead fold(double[] p, double[] mean, double[] scale, int dim, int k) {
        float[][] w = new float[k][dim];
        float[] b = new float[k];
        for (int c = 0; c < k; c++) {
            double bias = p[dim * k + c];
            for (int d = 0; d < dim; d++) {
                double weight = p[d * k + c] / scale[d];
                w[c][d] = (float) weight;
                bias -= weight * mean[d];
            }
            b[c] = (float) bias;
        }
        return new LinearHead(w, b);
    }

    /** Parameters: W transposed (dim x k, so the inner loops run over classes and vectorise), then the biases. */
    private record Problem(double[] z, int[] y, int n, int dim, int k, double l2) {
        int size() {
            return dim * k + k;
        }

        double valueAndGradient(double[] p, double[] gradient) {
            double[][] blockGradients = new double[BLOCKS][];
            double[] blockLoss = new double[BLOCKS];
            IntStream.range(0, BLOCKS).parallel().forEach(block -> {
                double[] g = new double[size()];
                blockLoss[block] = blockLossAndGradient(p, g, block * n / BLOCKS, (block + 1) * n / BLOCKS);
                blockGradients[block] = g;
            });
            java.util.Arrays.fill(gradient, 0);
            double loss = 0;
            for (int block = 0; block < BLOCKS; block++) {
                loss += blockLoss[block];
                double[] g = blockGradients[block];
                for (int j = 0; j < gradient.length; j++) gradient[j] += g[j];
            }
            double penalty = 0;
            for (int j = 0; j < gradient.length; j++) {
                gradient[j] /= n;
                if (j < dim * k) {
                    penalty += p[j] * p[j];
                    gradient[j] += l2 * p[j];
                }
            }
            return loss / n + 0.5 * l2 * penalty;
        }

        private double blockLossAndGradient(double[] p, double[] g, int from, int to) {
            double[] logits = new double[k];
            double loss = 0;
            int biasOffset = dim * k;
            for (int i = from; i < to; i++) {
                System.arraycopy(p, biasOffset, logits, 0, k);
                int row = i * dim;
                for (int d = 0; d < dim; d++) {
                    double xd = z[row + d];
                    int off = d * k;
                    for (int c = 0; c < k; c++) logits[c] += xd * p[off + c];
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < k; c++) max = Math.max(max, logits[c]);
                double target = logits[y[i]] - max;
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    logits[c] = Math.exp(logits[c] - max);
                    sum += logits[c];
                }
                loss += Math.log(sum) - target;
                // logits now holds the residual p - onehot
                for (int c = 0; c < k; c++) logits[c] /= sum;
                logits[y[i]] -= 1;
                for (int d = 0; d < dim; d++) {
                    double xd = z[row + d];
                    int off = d * k;
                    for (int c = 0; c < k; c++) g[off + c] += xd * logits[c];
                }
                for (int c = 0; c < k; c++) g[biasOffset + c] += logits[c];
            }
            return loss;
        }
    }
}
