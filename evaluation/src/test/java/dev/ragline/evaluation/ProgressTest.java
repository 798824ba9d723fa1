package dev.ragline.evaluation;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {
    @Test
    void printsCountPercentAndFinalLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = new Progress("judge", 4, new PrintStream(bytes, true))) {
            for (int i = 0; i < 4; i++) p.step();
            assertThat(p.done()).isEqualTo(4);
        }
        String out = bytes.toString();
        assertThat(out).contains("[judge] 4/4 100%").contains("done in").endsWith(System.lineSeparator());
    }

    @Test
    void durationsReadAsMinutesAndSeconds() {
        assertThat(Progress.duration(42)).isEqualTo("42s");
        assertThat(Progress.duration(125)).isEqualTo("2m05s");
    }
}
