package dev.ragline.classifier.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SelectiveCurveTest {
    private final double[] confidence = {0.9, 0.8, 0.8, 0.5};
    private final boolean[] correct = {true, true, false, true};

    @Test
    void onePointPerDistinctConfidence() {
        List<SelectiveCurve.Point> curve = SelectiveCurve.curve(confidence, correct);
        assertThat(curve).extracting(SelectiveCurve.Point::threshold).containsExactly(0.9, 0.8, 0.5);
        assertThat(curve).extracting(SelectiveCurve.Point::coverage).containsExactly(0.25, 0.75, 1.0);
        assertThat(curve.get(1).selectiveAccuracy()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(curve.get(2).selectiveAccuracy()).isEqualTo(0.75);
    }

    @Test
    void thresholdIsTheLowestThatReachesTheTarget() {
        assertThat(SelectiveCurve.thresholdForAccuracy(confidence, correct, 0.75)).isEqualTo(0.5);
        assertThat(SelectiveCurve.thresholdForAccuracy(confidence, correct, 0.8)).isEqualTo(0.9);
        assertThat(SelectiveCurve.thresholdForAccuracy(confidence, correct, 1.01)).isInfinite();
    }

    @Test
    void aurc() {
        // steps: 1 accepted at error 0, 2 more at error 1/3, 1 more at error 1/4
        assertThat(SelectiveCurve.aurc(confidence, correct)).isCloseTo((2.0 / 3 + 0.25) / 4, within(1e-12));
    }

    @Test
    void thinKeepsEnds() {
        List<SelectiveCurve.Point> curve = SelectiveCurve.curve(
                new double[]{0.1, 0.2, 0.3, 0.4, 0.5}, new boolean[]{true, true, true, true, true});
        List<SelectiveCurve.Point> thin = SelectiveCurve.thin(curve, 3);
        assertThat(thin).hasSize(3);
        assertThat(thin.get(0)).isEqualTo(curve.get(0));
        assertThat(thin.get(2)).isEqualTo(curve.get(4));
    }
}
