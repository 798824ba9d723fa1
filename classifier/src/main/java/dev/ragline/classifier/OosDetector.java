package dev.ragline.classifier;

/**
 * Computes the out-of-scope score of one example with the chosen {@link OosMethod}. Distance methods
 * keep per-class statistics of the training embeddings (only in-scope classes count).
 */
public final class OosDetector {
    private final OosMethod method;
    private final boolean[] inScope;
    private final float[][] centroids;   // class means (CENTROID_COSINE: unit length), null for logit methods
    private final float[][] precision;   // inverse shared covariance, MAHALANOBIS only
    private final double[][] precisionTimesMean;
    private final double[] meanPrecisionMean;

    public OosDetector(OosMethod method, boolean[] inScope, float[][] centroids, float[][] precision) {
        this.method = method;
        this.inScope = inScope.clone();
        this.centroids = centroids;
        this.precision = precision;
        if ((method == OosMethod.CENTROID_COSINE || method == OosMethod.MAHALANOBIS) && centroids == null)
            throw new IllegalArgumentException(method + " needs class centroids");
        if (method == OosMethod.MAHALANOBIS) {
            if (precision == null) throw new IllegalArgumentException("MAHALANOBIS needs a precision matrix");
            precisionTimesMean = new double[centroids.length][];
            meanPrecisionMean = new double[centroids.length];
            for (int k = 0; k < centroids.length; k++) {
                precisionTimesMean[k] = multiply(precision, centroids[k]);
                meanPrecisionMean[k] = dot(centroids[k], precisionTimesMean[k]);
            }
        } else {
            precisionTimesMean = null;
            meanPrecisionMean = null;
        }
    }

    public OosMethod method() {
        return method;
    }

    float[][] centroids() {
        return centroids;
    }

    float[][] precision() {
        return precision;
    }

    /** @param calibrated temperature-scaled probabilities; logits are the raw head outputs */
    public double score(float[] embedding, double[] logits, double[] calibrated) {
        switch (method) {
            case MAX_PROBABILITY -> {
                double max = 0;
                for (int k = 0; k < calibrated.length; k++) if (inScope[k]) max = Math.max(max, calibrated[k]);
                return 1 - max;
            }
            case ENERGY -> {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < logits.length; k++) if (inScope[k]) max = Math.max(max, logits[k]);
                double sum = 0;
                for (int k = 0; k < logits.length; k++) if (inScope[k]) sum += Math.exp(logits[k] - max);
                return -(max + Math.log(sum));
            }
            case CENTROID_COSINE -> {
                double norm = Math.sqrt(dot(embedding, embedding));
                double best = -1;
                for (int k = 0; k < centroids.length; k++) {
                    if (!inScope[k]) continue;
                    double s = 0;
                    for (int d = 0; d < embedding.length; d++) s += (double) embedding[d] * centroids[k][d];
                    best = Math.max(best, s / Math.max(norm, 1e-12));
                }
                return 1 - best;
            }
            case MAHALANOBIS -> {
                double[] px = multiply(precision, embedding);
                double xpx = dot(embedding, px);
                double best = Double.POSITIVE_INFINITY;
                for (int k = 0; k < centroids.length; k++) {
                    if (!inScope[k]) continue;
                    double s = 0;
                    for (int d = 0; d < embedding.length; d++) s += embedding[d] * precisionTimesMean[k][d];
                    best = Math.min(best, xpx - 2 * s + meanPrecisionMean[k]);
                }
                return best;
            }
        }
        throw new AssertionError(method);
    }

    /**
     * Fits the statistics a method needs from training embeddings {@code x} with class ids {@code y}.
     * The Mahalanobis covariance is shrunk towards a multiple of the identity (1% of the mean variance)
     * so it stays invertible with few examples.
     */
    public static OosDetector fit(OosMethod method, float[][] x, int[] y, boolean[] inScope) {
        int k = inScope.length, dim = x[0].length;
        if (method == OosMethod.MAX_PROBABILITY || method == OosMethod.ENERGY)
            return new OosDetector(method, inScope, null, null);
        double[][] sums = new double[k][dim];
        int[] counts = new int[k];
        for (int i = 0; i < x.length; i++) {
            counts[y[i]]++;
            for (int d = 0; d < dim; d++) sums[y[i]][d] += x[i][d];
        }
        float[][] means = new float[k][dim];
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) continue;
            for (int d = 0; d < dim; d++) means[c][d] = (float) (sums[c][d] / counts[c]);
        }
        if (method == OosMethod.CENTROID_COSINE) {
            for (float[] m : means) dev.ragline.core.Vectors.normalize(m);
            return new OosDetector(method, inScope, means, null);
        }
        double[][] cov = new double[dim][dim];
        double[] centred = new double[dim];
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (!inScope[y[i]]) continue;
            n++;
            for (int d = 0; d < dim; d++) centred[d] = x[i][d] - means[y[i]][d];
            for (int a = 0; a < dim; a++) {
                double ca = centred[a];
                double[] row = cov[a];
                for (int b = a; b < dim; b++) row[b] += ca * centred[b];
            }
        }
        double trace = 0;
        for (int a = 0; a < dim; a++) {
            for (int b = a; b < dim; b++) {
                cov[a][b] /= n;
                cov[b][a] = cov[a][b];
            }
            trace += cov[a][a];
        }
        double ridge = 0.01 * trace / dim + 1e-12;
        for (int a = 0; a < dim; a++) cov[a][a] += ridge;
        return new OosDetector(method, inScope, means, toFloat(invertSymmetricPositiveDefinite(cov)));
    }

    /** Inverse via Cholesky factorisation A = L L^T. */
    static double[][] invertSymmetricPositiveDefinite(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = a[i][j];
                for (int p = 0; p < j; p++) sum -= l[i][p] * l[j][p];
                if (i == j) {
                    if (sum <= 0) throw new IllegalArgumentException("matrix is not positive definite");
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        // inverse of L (lower triangular), then A^-1 = L^-T L^-1
        double[][] li = new double[n][n];
        for (int i = 0; i < n; i++) {
            li[i][i] = 1 / l[i][i];
            for (int j = 0; j < i; j++) {
                double sum = 0;
                for (int p = j; p < i; p++) sum -= l[i][p] * li[p][j];
                li[i][j] = sum / l[i][i];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = 0;
                for (int p = i; p < n; p++) sum += li[p][i] * li[p][j];
                inv[i][j] = sum;
                inv[j][i] = sum;
            }
        }
        return inv;
    }

    private static float[][] toFloat(double[][] m) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new float[m[i].length];
            for (int j = 0; j < m[i].length; j++) out[i][j] = (float) m[i][j];
        }
        return out;
    }

    private static double[] multiply(float[][] m, float[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            double s = 0;
            for (int j = 0; j < v.length; j++) s += (double) m[i][j] * v[j];
            out[i] = s;
        }
        return out;
    }

    private static double dot(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }
}
