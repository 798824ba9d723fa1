package dev.ragline.classifier.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CalibrationMetricsTest {
    // Hand-computed fixture, 10 equal-width bins:
    // bin 9 (0.9,1.0]: 0.95 right, 0.95 wrong -> conf 0.95, acc 0.5, gap 0.45
    // bin 5 (0.5,0.6]: 0.55 right            -> gap 0.45
    // bin 2 (0.2,0.3]: 0.25 wrong            -> gap 0.25
    // ECE = (2*0.45 + 0.45 + 0.25) / 4 = 0.4; MCE = 0.45
    private final double[] confidence = {0.95, 0.95, 0.55, 0.25};
    private final boolean[] correct = {true, false, true, false};

    @Test
    void equalWidthEceMceAndDiagram() {
        assertThat(CalibrationMetrics.ece(confidence, correct, 10)).isCloseTo(0.4, within(1e-12));
        assertThat(CalibrationMetrics.mce(confidence, correct, 10)).isCloseTo(0.45, within(1e-12));
        List<ReliabilityBin> bins = CalibrationMetrics.reliabilityDiagram(confidence, correct, 10);
        assertThat(bins).hasSize(10);
        assertThat(bins.get(9).count()).isEqualTo(2);
        assertThat(bins.get(9).meanConfidence()).isCloseTo(0.95, within(1e-12));
        assertThat(bins.get(9).accuracy()).isEqualTo(0.5);
        // empty bins are reported, with no confidence or accuracy
        assertThat(bins.get(0).count()).isZero();
        assertThat(bins.get(0).meanConfidence()).isNull();
        assertThat(bins.stream().mapToInt(ReliabilityBin::count).sum()).isEqualTo(4);
    }

    @Test
    void binEdges() {
        // 0 goes to the first bin, 1 to the last, 0.5 (a bin's upper edge) to the lower bin
        assertThat(CalibrationMetrics.equalWidthBin(0.0, 15)).isZero();
        assertThat(CalibrationMetrics.equalWidthBin(1.0, 15)).isEqualTo(14);
        assertThat(CalibrationMetrics.equalWidthBin(0.5, 10)).isEqualTo(4);
        assertThat(CalibrationMetrics.equalWidthBin(0.5000001, 10)).isEqualTo(5);
    }

    @Test
    void adaptiveEce() {
        // sorted: 0.25 wrong, 0.55 right | 0.95 right, 0.95 wrong
        // bin 0: conf 0.40 acc 0.5 gap 0.10; bin 1: conf 0.95 acc 0.5 gap 0.45 -> (2*0.1 + 2*0.45)/4
        assertThat(CalibrationMetrics.adaptiveEce(confidence, correct, 2)).isCloseTo(0.275, within(1e-12));
        List<ReliabilityBin> bins = CalibrationMetrics.adaptiveReliabilityDiagram(confidence, correct, 2);
        assertThat(bins.get(0).lower()).isEqualTo(0.25);
        assertThat(bins.get(0).upper()).isEqualTo(0.55);
    }

    @Test
    void adaptiveWithMoreBinsThanExamplesLeavesEmptyBins() {
        List<ReliabilityBin> bins = CalibrationMetrics.adaptiveReliabilityDiagram(
                new double[]{0.9, 0.6}, new boolean[]{true, false}, 4);
        assertThat(bins).extracting(ReliabilityBin::count).containsExactly(1, 1, 0, 0);
        // each example is its own bin: gaps 0.6 and 0.1
        assertThat(CalibrationMetrics.adaptiveEce(new double[]{0.9, 0.6}, new boolean[]{true, false}, 4))
                .isCloseTo(0.35, within(1e-12));
    }

    @Test
    void perfectlyCalibratedIsZero() {
        double[] conf = {0.75, 0.75, 0.75, 0.75};
        boolean[] right = {true, true, true, false};
        assertThat(CalibrationMetrics.ece(conf, right, 15)).isCloseTo(0.0, within(1e-12));
        assertThat(CalibrationMetrics.adaptiveEce(conf, right, 15)).isGreaterThan(0); // 4 bins of one
    }

    @Test
    void brierAndNll() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.1, 0.1, 0.8}};
        int[] gold = {0, 1};
        // (0.09 + 0.04 + 0.01 + 0.01 + 0.81 + 0.64) / 2
        assertThat(CalibrationMetrics.brier(p, gold)).isCloseTo(0.8, within(1e-12));
        assertThat(CalibrationMetrics.nll(p, gold)).isCloseTo(-(Math.log(0.7) + Math.log(0.1)) / 2, within(1e-12));
    }

    @Test
    void nllOfZeroProbabilityIsLargeButFinite() {
        double nll = CalibrationMetrics.nll(new double[][]{{1.0, 0.0}}, new int[]{1});
        assertThat(nll).isCloseTo(-Math.log(CalibrationMetrics.MIN_PROBABILITY), within(1e-9));
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> CalibrationMetrics.ece(new double[]{1.2}, new boolean[]{true}, 15))
                .hasMessageContaining("outside [0, 1]");
        assertThatThrownBy(() -> CalibrationMetrics.ece(new double[0], new boolean[0], 15))
                .hasMessageContaining("no examples");
        assertThatThrownBy(() -> CalibrationMetrics.brier(new double[][]{{1.0}}, new int[]{1}))
                .hasMessageContaining("gold class 1");
    }
}
