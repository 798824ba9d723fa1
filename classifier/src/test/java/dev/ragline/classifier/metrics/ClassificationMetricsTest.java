package dev.ragline.classifier.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ClassificationMetricsTest {
    // Hand-computed: gold 0,0,1,1,2; predicted 0,1,1,1,0
    private final int[] gold = {0, 0, 1, 1, 2};
    private final int[] predicted = {0, 1, 1, 1, 0};

    @Test
    void accuracyAndConfusionMatrix() {
        assertThat(ClassificationMetrics.accuracy(gold, predicted)).isEqualTo(0.6);
        assertThat(ClassificationMetrics.confusionMatrix(gold, predicted, 3))
                .isEqualTo(new long[][]{{1, 1, 0}, {0, 2, 0}, {1, 0, 0}});
    }

    @Test
    void perClassAndMacroF1() {
        // class 0: 2TP/(gold+pred) = 2/4; class 1: 4/5; class 2: never predicted = 0
        assertThat(ClassificationMetrics.perClassF1(gold, predicted, 3)).containsExactly(0.5, 0.8, 0.0);
        assertThat(ClassificationMetrics.macroF1(gold, predicted, 3)).isCloseTo(1.3 / 3, within(1e-12));
    }

    @Test
    void classAbsentFromGoldAndPredictionsIsLeftOutOfMacroF1() {
        double[] f1 = ClassificationMetrics.perClassF1(gold, predicted, 4);
        assertThat(f1[3]).isNaN();
        assertThat(ClassificationMetrics.macroF1(gold, predicted, 4)).isCloseTo(1.3 / 3, within(1e-12));
    }

    @Test
    void singleClass() {
        int[] all = {0, 0, 0};
        assertThat(ClassificationMetrics.accuracy(all, all)).isEqualTo(1.0);
        assertThat(ClassificationMetrics.macroF1(all, all, 1)).isEqualTo(1.0);
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> ClassificationMetrics.accuracy(new int[]{0}, new int[]{0, 1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClassificationMetrics.accuracy(new int[0], new int[0]))
                .hasMessageContaining("no examples");
        assertThatThrownBy(() -> ClassificationMetrics.confusionMatrix(new int[]{3}, new int[]{0}, 3))
                .hasMessageContaining("class 3");
    }
}
