package dev.ragline.classifier.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Calibration metrics. {@code confidence[i]} is the probability the model gave its predicted label and
 * {@code correct[i]} whether that label was right. Binned metrics use the standard convention (Guo et
 * al. 2017): a bin's gap is |accuracy - mean confidence|, ECE weights gaps by bin size, MCE is the
 * largest gap over non-empty bins.
 */
public final class CalibrationMetrics {
    /** The usual number of bins for ECE. */
    public static final int DEFAULT_BINS = 15;
    /** Probabilities are clamped to this before the logarithm so one zero cannot make NLL infinite. */
    public static final double MIN_PROBABILITY = 1e-15;

    private CalibrationMetrics() {
    }

    /** Equal-width bins over [0, 1]: bin b holds confidences in (b/B, (b+1)/B], bin 0 also holds 0. */
    public static List<ReliabilityBin> reliabilityDiagram(double[] confidence, boolean[] correct, int bins) {
        check(confidence, correct, bins);
        int[] count = new int[bins];
        double[] confSum = new double[bins];
        int[] correctCount = new int[bins];
        for (int i = 0; i < confidence.length; i++) {
            int b = equalWidthBin(confidence[i], bins);
            count[b]++;
            confSum[b] += confidence[i];
            if (correct[i]) correctCount[b]++;
        }
        List<ReliabilityBin> out = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            out.add(count[b] == 0
                    ? new ReliabilityBin((double) b / bins, (double) (b + 1) / bins, 0, null, null)
                    : new ReliabilityBin((double) b / bins, (double) (b + 1) / bins, count[b],
                    confSum[b] / count[b], (double) correctCount[b] / count[b]));
        }
        return out;
    }

    /**
     * Equal-mass bins: examples sorted by confidence (ties kept in input order) and cut into {@code bins}
     * groups whose sizes differ by at most one; the bin bounds are the smallest and largest confidence
     * inside. With fewer examples than bins the surplus bins are empty.
     */
    public static List<ReliabilityBin> adaptiveReliabilityDiagram(double[] confidence, boolean[] correct, int bins) {
        check(confidence, correct, bins);
        int n = confidence.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> confidence[i]));
        List<ReliabilityBin> out = new ArrayList<>(bins);
        int start = 0;
        for (int b = 0; b < bins; b++) {
            int size = n / bins + (b < n % bins ? 1 : 0);
            if (size == 0) {
                out.add(new ReliabilityBin(Double.NaN, Double.NaN, 0, null, null));
                continue;
            }
            double confSum = 0;
            int correctCount = 0;
            for (int j = start; j < start + size; j++) {
                confSum += confidence[order[j]];
                if (correct[order[j]]) correctCount++;
            }
            out.add(new ReliabilityBin(confidence[order[start]], confidence[order[start + size - 1]], size,
                    confSum / size, (double) correctCount / size));
            start += size;
        }
        return out;
    }

    /** Expected calibration error with {@code bins} equal-width bins. */
    public static double ece(double[] confidence, boolean[] correct, int bins) {
        return weightedGap(reliabilityDiagram(confidence, correct, bins), confidence.length);
    }

    /** ECE with equal-mass (adaptive) bins. */
    public static double adaptiveEce(double[] confidence, boolean[] correct, int bins) {
        return weightedGap(adaptiveReliabilityDiagram(confidence, correct, bins), confidence.length);
    }

    /** Maximum calibration error: the largest gap over non-empty equal-width bins. */
    public static double mce(double[] confidence, boolean[] correct, int bins) {
        double max = 0;
        for (ReliabilityBin bin : reliabilityDiagram(confidence, correct, bins)) {
            if (bin.count() > 0) max = Math.max(max, Math.abs(bin.accuracy() - bin.meanConfidence()));
        }
        return max;
    }

    /** Multiclass Brier score: mean over examples of sum over classes of (p_k - [k = gold])^2; range [0, 2]. */
    public static double brier(double[][] probabilities, int[] gold) {
        checkProbabilities(probabilities, gold);
        double sum = 0;
        for (int i = 0; i < gold.length; i++) {
            double[] p = probabilities[i];
            for (int k = 0; k < p.length; k++) {
                double diff = p[k] - (k == gold[i] ? 1 : 0);
                sum += diff * diff;
            }
        }
        return sum / gold.length;
    }

    /** Mean negative log-likelihood (natural log) of the gold class. */
    public static double nll(double[][] probabilities, int[] gold) {
        checkProbabilities(probabilities, gold);
        double sum = 0;
        for (int i = 0; i < gold.length; i++) sum -= Math.log(Math.max(probabilities[i][gold[i]], MIN_PROBABILITY));
        return sum / gold.length;
    }

    static int equalWidthBin(double confidence, int bins) {
        // (b/B, (b+1)/B]: ceil(c*B)-1, with 0 in the first bin
        int b = (int) Math.ceil(confidence * bins) - 1;
        return Math.max(0, Math.min(bins - 1, b));
    }

    private static double weightedGap(List<ReliabilityBin> diagram, int n) {
        double sum = 0;
        for (ReliabilityBin bin : diagram) {
            if (bin.count() > 0) sum += bin.count() * Math.abs(bin.accuracy() - bin.meanConfidence());
        }
        return sum / n;
    }

    private static void check(double[] confidence, boolean[] correct, int bins) {
        if (confidence.length != correct.length)
            throw new IllegalArgumentException("length " + confidence.length + " != " + correct.length);
        if (confidence.length == 0) throw new IllegalArgumentException("no examples");
        if (bins < 1) throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        for (double c : confidence) {
            if (!(c >= 0 && c <= 1)) throw new IllegalArgumentException("confidence outside [0, 1]: " + c);
        }
    }

    private static void checkProbabilities(double[][] probabilities, int[] gold) {
        if (probabilities.length != gold.length)
            throw new IllegalArgumentException("length " + probabilities.length + " != " + gold.length);
        if (gold.length == 0) throw new IllegalArgumentException("no examples");
        for (int i = 0; i < gold.length; i++) {
            if (gold[i] < 0 || gold[i] >= probabilities[i].length)
                throw new IllegalArgumentException("gold class " + gold[i] + " outside the probability vector at " + i);
        }
    }
}
