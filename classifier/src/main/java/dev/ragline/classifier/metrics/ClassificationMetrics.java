package dev.ragline.classifier.metrics;

/**
 * Hard-label classification metrics over integer class ids {@code 0..numClasses-1}. These are the
 * project's reference implementations: the evaluation harness reuses them.
 */
public final class ClassificationMetrics {
    private ClassificationMetrics() {
    }

    /** Share of positions where {@code predicted} equals {@code gold}. */
    public static double accuracy(int[] gold, int[] predicted) {
        checkSameLength(gold, predicted);
        int correct = 0;
        for (int i = 0; i < gold.length; i++) if (gold[i] == predicted[i]) correct++;
        return (double) correct / gold.length;
    }

    /** {@code matrix[gold][predicted]} = number of examples. */
    public static long[][] confusionMatrix(int[] gold, int[] predicted, int numClasses) {
        checkSameLength(gold, predicted);
        long[][] matrix = new long[numClasses][numClasses];
        for (int i = 0; i < gold.length; i++) {
            checkClass(gold[i], numClasses);
            checkClass(predicted[i], numClasses);
            matrix[gold[i]][predicted[i]]++;
        }
        return matrix;
    }

    /**
     * F1 per class. A class with no gold and no predicted example has F1 = NaN (undefined) and is left
     * out of {@link #macroF1}; a class that occurs on one side only has F1 = 0.
     */
    public static double[] perClassF1(int[] gold, int[] predicted, int numClasses) {
        long[][] m = confusionMatrix(gold, predicted, numClasses);
        double[] f1 = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            long tp = m[c][c], goldCount = 0, predictedCount = 0;
            for (int j = 0; j < numClasses; j++) {
                goldCount += m[c][j];
                predictedCount += m[j][c];
            }
            // F1 = 2TP / (2TP + FP + FN) = 2TP / (gold + predicted)
            f1[c] = goldCount + predictedCount == 0 ? Double.NaN : 2.0 * tp / (goldCount + predictedCount);
        }
        return f1;
    }

    /** Unweighted mean of per-class F1 over the classes that occur in gold or predictions. */
    public static double macroF1(int[] gold, int[] predicted, int numClasses) {
        double sum = 0;
        int n = 0;
        for (double f : perClassF1(gold, predicted, numClasses)) {
            if (!Double.isNaN(f)) {
                sum += f;
                n++;
            }
        }
        return sum / n;
    }

    static void checkSameLength(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("length " + a.length + " != " + b.length);
        if (a.length == 0) throw new IllegalArgumentException("no examples");
    }

    private static void checkClass(int c, int numClasses) {
        if (c < 0 || c >= numClasses) throw new IllegalArgumentException("class " + c + " outside 0.." + (numClasses - 1));
    }
}
