package dev.ragline.classifier.data;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class SamplingTest {
    private final List<String> labels = IntStream.range(0, 100).mapToObj(i -> "l" + (i % 4)).toList();

    @Test
    void stratifiedHoldoutIsDisjointCompleteAndSeeded() {
        List<List<Integer>> split = Sampling.stratifiedHoldout(labels, 0.2, 1);
        assertThat(split.get(1)).hasSize(20);
        assertThat(split.get(0)).hasSize(80);
        var all = new HashSet<>(split.get(0));
        all.addAll(split.get(1));
        assertThat(all).hasSize(100);
        assertThat(split.get(1).stream().filter(i -> labels.get(i).equals("l0"))).hasSize(5);
        assertThat(Sampling.stratifiedHoldout(labels, 0.2, 1)).isEqualTo(split);
        assertThat(Sampling.stratifiedHoldout(labels, 0.2, 2)).isNotEqualTo(split);
    }

    @Test
    void samplePerLabel() {
        List<Integer> draw = Sampling.samplePerLabel(labels, 8, 3);
        assertThat(draw).hasSize(32).doesNotHaveDuplicates();
        assertThat(draw.stream().filter(i -> labels.get(i).equals("l2"))).hasSize(8);
        assertThat(Sampling.samplePerLabel(labels, 8, 3)).isEqualTo(draw);
    }
}
