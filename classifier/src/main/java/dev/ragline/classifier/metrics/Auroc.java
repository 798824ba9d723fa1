package dev.ragline.classifier.metrics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Area under the ROC curve via the Mann-Whitney U statistic: the probability that a random positive
 * scores higher than a random negative, ties counting one half (tied scores get their average rank).
 */
public final class Auroc {
    private Auroc() {
    }

    /** {@code positive[i]} marks the examples that should score higher. Needs both classes present. */
    public static double auroc(double[] scores, boolean[] positive) {
        if (scores.length != positive.length)
            throw new IllegalArgumentException("length " + scores.length + " != " + positive.length);
        long nPos = 0;
        for (boolean p : positive) if (p) nPos++;
        long nNeg = scores.length - nPos;
        if (nPos == 0 || nNeg == 0)
            throw new IllegalArgumentException("AUROC needs positives and negatives, got " + nPos + " and " + nNeg);
        for (double s : scores) if (Double.isNaN(s)) throw new IllegalArgumentException("NaN score");

        Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
        double positiveRankSum = 0;
        for (int start = 0; start < order.length; ) {
            int end = start;
            while (end + 1 < order.length && scores[order[end + 1]] == scores[order[start]]) end++;
            double averageRank = (start + end) / 2.0 + 1; // ranks are 1-based
            for (int j = start; j <= end; j++) if (positive[order[j]]) positiveRankSum += averageRank;
            start = end + 1;
        }
        double u = positiveRankSum - nPos * (nPos + 1) / 2.0;
        return u / ((double) nPos * nNeg);
    }

    /** Convenience: positives' and negatives' scores given separately. */
    public static double auroc(double[] positiveScores, double[] negativeScores) {
        double[] scores = new double[positiveScores.length + negativeScores.length];
        boolean[] positive = new boolean[scores.length];
        System.arraycopy(positiveScores, 0, scores, 0, positiveScores.length);
        System.arraycopy(negativeScores, 0, scores, positiveScores.length, negativeScores.length);
        Arrays.fill(positive, 0, positiveScores.length, true);
        return auroc(scores, positive);
    }
}
