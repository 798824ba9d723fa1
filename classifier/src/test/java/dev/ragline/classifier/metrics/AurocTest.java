package dev.ragline.classifier.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AurocTest {

    @Test
    void countsOrderedPairs() {
        // pairs (pos, neg): 0.8>0.7, 0.8>0.2, 0.6<0.7, 0.6>0.2 -> 3 of 4
        assertThat(Auroc.auroc(new double[]{0.8, 0.6}, new double[]{0.7, 0.2})).isEqualTo(0.75);
    }

    @Test
    void tiesCountHalf() {
        // 0.5 vs 0.5 counts 1/2, the other three pairs are ordered: 3.5 / 4
        assertThat(Auroc.auroc(new double[]{0.5, 0.9}, new double[]{0.5, 0.1})).isEqualTo(0.875);
        // all scores equal: exactly chance
        assertThat(Auroc.auroc(new double[]{1, 1}, new double[]{1, 1, 1})).isEqualTo(0.5);
    }

    @Test
    void perfectAndReversed() {
        assertThat(Auroc.auroc(new double[]{3, 4}, new double[]{1, 2})).isEqualTo(1.0);
        assertThat(Auroc.auroc(new double[]{1, 2}, new double[]{3, 4})).isEqualTo(0.0);
    }

    @Test
    void labelledForm() {
        assertThat(Auroc.auroc(new double[]{0.7, 0.8, 0.2, 0.6}, new boolean[]{false, true, false, true}))
                .isEqualTo(0.75);
    }

    @Test
    void singleClassIsUndefined() {
        assertThatThrownBy(() -> Auroc.auroc(new double[]{0.1, 0.2}, new boolean[]{true, true}))
                .hasMessageContaining("positives and negatives");
    }
}
