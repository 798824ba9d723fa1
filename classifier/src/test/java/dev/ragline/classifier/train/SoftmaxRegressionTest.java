package dev.ragline.classifier.train;

import dev.ragline.classifier.Synthetic;
import dev.ragline.classifier.metrics.ClassificationMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SoftmaxRegressionTest {

    private static int[] labels(LabeledEmbeddings data) {
        return ClassifierTrainer.indices(data.labels(), List.of("c0", "c1", "c2", "c3"), null, "test");
    }

    @Test
    void lossDecreasesAndSeparableDataIsFitted() {
        LabeledEmbeddings data = Synthetic.blobs(50, 4, 8, 3.0, 0.3, 1);
        SoftmaxRegression.Fit fit = SoftmaxRegression.fit(data.x(), labels(data), 4, SoftmaxRegression.Options.of(1e-4));
        List<Double> loss = fit.lossHistory();
        for (int i = 1; i < loss.size(); i++) assertThat(loss.get(i)).isLessThanOrEqualTo(loss.get(i - 1));
        assertThat(loss.getFirst()).isCloseTo(Math.log(4), within(1e-9)); // zero start = uniform
        assertThat(loss.getLast()).isLessThan(0.05);
        assertThat(ClassificationMetrics.accuracy(labels(data), ClassifierTrainer.predict(fit.head(), data.x()))).isEqualTo(1.0);
    }

    @Test
    void matchesTheOptimalityConditionOfAnUnstandardisedProblem() {
        // without standardisation the returned head is exactly the optimum: gradient ~ 0
        LabeledEmbeddings data = Synthetic.blobs(30, 4, 6, 1.0, 1.0, 2);
        int[] y = labels(data);
        SoftmaxRegression.Fit fit = SoftmaxRegression.fit(data.x(), y, 4,
                SoftmaxRegression.Options.of(1e-2).withStandardize(false));
        assertThat(fit.converged()).isTrue();
        // stationarity for class c, dimension d: mean_i (p_ic - y_ic) x_id + l2 * w_cd = 0
        double[][] p = ClassifierTrainer.probabilities(ClassifierTrainer.logits(fit.head(), data.x()), 1.0);
        float[][] w = fit.head().weights();
        for (int c = 0; c < 4; c++) {
            for (int d = 0; d < 6; d++) {
                double g = 0;
                for (int i = 0; i < y.length; i++) g += (p[i][c] - (y[i] == c ? 1 : 0)) * data.x()[i][d];
                g = g / y.length + 1e-2 * w[c][d];
                assertThat(g).isCloseTo(0.0, within(1e-4));
            }
        }
    }

    @Test
    void strongerRegularisationGivesSmallerWeights() {
        LabeledEmbeddings data = Synthetic.blobs(30, 4, 6, 1.0, 1.0, 3);
        double weak = norm(SoftmaxRegression.fit(data.x(), labels(data), 4, SoftmaxRegression.Options.of(1e-4)).head().weights());
        double strong = norm(SoftmaxRegression.fit(data.x(), labels(data), 4, SoftmaxRegression.Options.of(1.0)).head().weights());
        assertThat(strong).isLessThan(weak / 2);
    }

    @Test
    void deterministic() {
        LabeledEmbeddings data = Synthetic.blobs(40, 4, 8, 1.0, 1.0, 4);
        var a = SoftmaxRegression.fit(data.x(), labels(data), 4, SoftmaxRegression.Options.of(1e-3));
        var b = SoftmaxRegression.fit(data.x(), labels(data), 4, SoftmaxRegression.Options.of(1e-3));
        assertThat(a.head()).isEqualTo(b.head());
        assertThat(a.lossHistory()).isEqualTo(b.lossHistory());
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> SoftmaxRegression.fit(new float[][]{{1f}, {2f}}, new int[]{0, 5}, 2, SoftmaxRegression.Options.of(0)))
                .hasMessageContaining("label 5");
        assertThatThrownBy(() -> SoftmaxRegression.fit(new float[][]{{1f}, {2f, 3f}}, new int[]{0, 1}, 2, SoftmaxRegression.Options.of(0)))
                .hasMessageContaining("dimension");
    }

    private static double norm(float[][] w) {
        double s = 0;
        for (float[] row : w) for (float v : row) s += v * v;
        return Math.sqrt(s);
    }
}
