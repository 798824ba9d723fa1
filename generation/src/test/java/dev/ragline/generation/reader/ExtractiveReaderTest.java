package dev.ragline.generation.reader;

import dev.ragline.core.Chunk;
import dev.ragline.generation.AnswerListener;
import dev.ragline.generation.GroundedAnswer;
import dev.ragline.generation.GroundedPrompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bundled reader model on questions it has never seen: real answers, exact citations, abstentions. */
class ExtractiveReaderTest {
    static ExtractiveReader reader;

    static final Chunk CHARGING = chunk("battery-and-charging.md", 2, 40,
            "Charging. Plug the charger into the port below the frame. A full charge from empty takes about four "
                    + "hours with the supplied 4 A charger; the status light turns green when the battery is full.");
    static final Chunk BRAKES = chunk("brakes.txt", 1, 120,
            "Brake pads. The Aero uses hydraulic disc brakes. Replace the brake pads when the friction material is "
                    + "thinner than 1.5 millimetres, usually after 1,500 to 2,500 kilometres of riding.");
    static final Chunk WARRANTY = chunk("warranty.html", 0, 0,
            "The frame carries a lifetime warranty for the original owner. The battery and motor are covered for "
                    + "two years or 500 charge cycles, whichever comes first.");

    @BeforeAll
    static void open() {
        reader = ExtractiveReader.bundled(2);
    }

    @AfterAll
    static void close() {
        reader.close();
        reader.close(); // idempotent
    }

    @Test
    void answersWithAnExactSpanCitedByItsChunk() {
        List<String> events = new ArrayList<>();
        GroundedAnswer a = reader.answer("How long does a full charge from empty take?", List.of(BRAKES, CHARGING, WARRANTY), listener(events));
        assertThat(a.abstained()).isFalse();
        assertThat(a.answer()).contains("four hours");
        assertThat(a.citations()).singleElement().satisfies(c -> {
            assertThat(c.chunkId()).isEqualTo(CHARGING.id());
            assertThat(c.documentId()).isEqualTo("battery-and-charging.md");
            assertThat(c.passage()).isEqualTo(2);
            assertThat(CHARGING.text().substring(c.start(), c.end())).isEqualTo(a.answer());
            assertThat(c.documentStart()).isEqualTo(CHARGING.startOffset() + c.start());
        });
        assertThat(events).containsExactly("token:" + a.answer(), "complete");
    }

    @Test
    void findsTheAnswerInWhicheverPassageHoldsIt() {
        GroundedAnswer a = reader.answer("How long are the battery and motor covered?", List.of(BRAKES, CHARGING, WARRANTY));
        assertThat(a.abstained()).isFalse();
        assertThat(a.citations()).singleElement().satisfies(c -> {
            assertThat(c.chunkId()).isEqualTo(WARRANTY.id());
            assertThat(c.passage()).isEqualTo(3);
        });
        assertThat(a.answer()).contains("two years");
    }

    @Test
    void abstainsWhenThePassagesDoNotHoldTheAnswer() {
        GroundedAnswer a = reader.answer("Who won the football world cup in 1998?", List.of(BRAKES, WARRANTY));
        assertThat(a.abstained()).isTrue();
        assertThat(a.answer()).isEqualTo(GroundedPrompt.ABSTAIN);
        assertThat(a.citations()).isEmpty();
    }

    @Test
    void readsLongPassagesInWindowsAndFindsAnAnswerNearTheEnd() {
        String filler = "The Aero frame is made of aluminium and comes in three colours. ".repeat(40);
        Chunk longChunk = chunk("specs.md", 0, 0, filler + "The rear rack carries at most 25 kilograms.");
        GroundedAnswer a = reader.answer("How much weight can the rear rack carry?", List.of(longChunk));
        assertThat(reader.logits("How much weight can the rear rack carry?", List.of(longChunk.text()))).hasSizeGreaterThan(1);
        assertThat(a.abstained()).isFalse();
        assertThat(a.answer()).contains("25 kilograms");
    }

    @Test
    void aHigherThresholdAbstainsMore() {
        var strict = reader.settings().withThreshold(1e9);
        var reading = reader.read("How long does a full charge from empty take?", List.of(CHARGING.text()));
        assertThat(reading.answers(reader.settings())).isTrue();
        assertThat(reading.answers(strict)).isFalse();
    }

    @Test
    void aRankPenaltyFavoursEarlierPassagesAndSpanPickKeepsTheBestSpan() {
        String q = "How long does a full charge from empty take?";
        List<String> passages = List.of(BRAKES.text(), CHARGING.text());
        var plain = reader.read(q, passages);
        assertThat(plain.best().passage()).isEqualTo(1);
        // By margin, a penalty of 1000 per place hands the choice to the first passage, whatever it holds.
        var byMargin = reader.read(q, passages, reader.settings().withPassageChoice(ReaderSettings.Pick.MARGIN, 1000));
        assertThat(byMargin.best().passage()).isZero();
        // By span score, the charging passage still wins, and its margin carries the penalty: it now abstains.
        var bySpan = reader.read(q, passages, reader.settings().withPassageChoice(ReaderSettings.Pick.SPAN, 1000));
        assertThat(bySpan.best()).isEqualTo(plain.best());
        assertThat(bySpan.margin()).isCloseTo(plain.margin() - 1000, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(bySpan.answers(reader.settings())).isFalse();
    }

    @Test
    void rejectsAnEmptyQuestion() {
        assertThatThrownBy(() -> reader.answer(" ", List.of(CHARGING))).isInstanceOf(IllegalArgumentException.class);
    }

    private static Chunk chunk(String doc, int index, int start, String text) {
        return new Chunk(Chunk.idFor(doc, 1, index), doc, 1, index, text, doc, "", start, start + text.length(), Map.of());
    }

    private static AnswerListener listener(List<String> events) {
        return new AnswerListener() {
            @Override public void onToken(String token) { events.add("token:" + token); }
            @Override public void onComplete(GroundedAnswer answer) { events.add("complete"); }
        };
    }
}
