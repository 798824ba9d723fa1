package dev.ragline.classifier.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Coverage versus selective accuracy: accept the examples whose confidence is at least a threshold and
 * measure how many are accepted (coverage) and how many of those are right (selective accuracy). One
 * point per distinct confidence value, highest threshold first, so tied confidences are never split.
 */
public final class SelectiveCurve {

    /** Accept when confidence >= threshold. */
    public record Point(double threshold, double coverage, double selectiveAccuracy, int accepted) {
    }

    private SelectiveCurve() {
    }

    public static List<Point> curve(double[] confidence, boolean[] correct) {
        if (confidence.length != correct.length)
            throw new IllegalArgumentException("length " + confidence.length + " != " + correct.length);
        if (confidence.length == 0) throw new IllegalArgumentException("no examples");
        int n = confidence.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> confidence[i]).reversed());
        List<Point> points = new ArrayList<>();
        int accepted = 0, right = 0;
        for (int start = 0; start < n; ) {
            int end = start;
            while (end + 1 < n && confidence[order[end + 1]] == confidence[order[start]]) end++;
            for (int j = start; j <= end; j++) {
                accepted++;
                if (correct[order[j]]) right++;
            }
            points.add(new Point(confidence[order[start]], (double) accepted / n, (double) right / accepted, accepted));
            start = end + 1;
        }
        return points;
    }

    /**
     * The lowest threshold (largest coverage) whose selective accuracy reaches {@code target}; if no
     * threshold does, {@code +Infinity} (accept nothing).
     */
    public static double thresholdForAccuracy(double[] confidence, boolean[] correct, double target) {
        double best = Double.POSITIVE_INFINITY;
        for (Point p : curve(confidence, correct)) if (p.selectiveAccuracy() >= target) best = p.threshold();
        return best;
    }

    /** At most {@code maxPoints} points of the curve spread evenly over coverage, for reports and plots. */
    public static List<Point> thin(List<Point> curve, int maxPoints) {
        if (curve.size() <= maxPoints) return curve;
        List<Point> out = new ArrayList<>(maxPoints);
        for (int j = 0; j < maxPoints; j++) {
            int index = (int) Math.round((double) j * (curve.size() - 1) / (maxPoints - 1));
            out.add(curve.get(index));
        }
        return out;
    }

    /** Area under the risk-coverage curve (mean error over the curve's acceptance steps); lower is better. */
    public static double aurc(double[] confidence, boolean[] correct) {
        List<Point> points = curve(confidence, correct);
        double area = 0;
        int previous = 0;
        for (Point p : points) {
            area += (p.accepted() - previous) * (1 - p.selectiveAccuracy());
            previous = p.accepted();
        }
        return area / confidence.length;
    }
}
