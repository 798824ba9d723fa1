package dev.ragline.classifier.train;

import dev.ragline.classifier.metrics.CalibrationMetrics;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TemperatureScalingTest {

    /**
     * Labels drawn from softmax(true logits); the model reports 4x the true logits, so it is over-confident
     * and the NLL-optimal temperature is about 4.
     */
    @Test
    void lowersNllOfAnOverConfidentModelAndRecoversItsScale() {
        Random r = new Random(7);
        int n = 4000, k = 5;
        double[][] reported = new double[n][k];
        int[] gold = new int[n];
        for (int i = 0; i < n; i++) {
            double[] z = new double[k];
            for (int c = 0; c < k; c++) z[c] = r.nextGaussian();
            double[] p = dev.ragline.classifier.Softmax.probabilities(z, 1);
            double u = r.nextDouble(), acc = 0;
            gold[i] = k - 1;
            for (int c = 0; c < k; c++) {
                acc += p[c];
                if (u < acc) {
                    gold[i] = c;
                    break;
                }
            }
            for (int c = 0; c < k; c++) reported[i][c] = 4 * z[c];
        }
        double t = TemperatureScaling.fit(reported, gold);
        assertThat(t).isCloseTo(4.0, within(0.4));
        double before = CalibrationMetrics.nll(ClassifierTrainer.probabilities(reported, 1), gold);
        double after = CalibrationMetrics.nll(ClassifierTrainer.probabilities(reported, t), gold);
        assertThat(after).isLessThan(before - 0.5);
        assertThat(after).isCloseTo(TemperatureScaling.nll(reported, gold, t), within(1e-9));
        assertThat(ClassifierTrainer.ece(ClassifierTrainer.probabilities(reported, t), gold))
                .isLessThan(ClassifierTrainer.ece(ClassifierTrainer.probabilities(reported, 1), gold));
    }

    @Test
    void wellCalibratedModelKeepsTemperatureNearOne() {
        Random r = new Random(8);
        int n = 4000;
        double[][] logits = new double[n][2];
        int[] gold = new int[n];
        for (int i = 0; i < n; i++) {
            double z = 2 * r.nextGaussian();
            logits[i][1] = z;
            gold[i] = r.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
        }
        assertThat(TemperatureScaling.fit(logits, gold)).isCloseTo(1.0, within(0.1));
    }
}
