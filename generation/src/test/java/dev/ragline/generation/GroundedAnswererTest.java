package dev.ragline.generation;

import dev.ragline.core.Chunk;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** Logic around the model: citations, offsets, dropped citations, streaming order. The model is scripted here. */
class GroundedAnswererTest {

    /** Replies with fixed tokens and records the request; counts tokens as words. */
    static final class ScriptedGenerator implements Generator {
        final List<String> tokens;
        final List<GenerationRequest> requests = new ArrayList<>();
        final boolean grammar;

        ScriptedGenerator(boolean grammar, String... tokens) {
            this.grammar = grammar;
            this.tokens = List.of(tokens);
        }

        @Override public String modelId() { return "scripted"; }
        @Override public int contextWindow() { return 400; }
        @Override public int countTokens(String text) { return text.split("\\s+").length; }
        @Override public boolean supportsGrammar() { return grammar; }

        @Override
        public Generation generate(GenerationRequest request, Consumer<String> onToken) {
            requests.add(request);
            tokens.forEach(onToken);
            return new Generation(String.join("", tokens), 10, tokens.size(), 1, false);
        }
    }

    private final Chunk paris = new Chunk(Chunk.idFor("d1", 1, 3), "d1", 1, 3, "The capital of France is Paris.", "France", "", 500, 531, java.util.Map.of());
    private final Chunk berlin = Fixtures.chunk("d2", "Germany", "Berlin is the capital of Germany.");

    @Test
    void mapsCitationsToChunksAndSpans() {
        var gen = new ScriptedGenerator(true, " Paris", " [2]", "[5]");
        GroundedAnswer a = new GroundedAnswerer(gen).answer("What is the capital of France?", List.of(berlin, paris));
        assertThat(a.answer()).isEqualTo("Paris");
        assertThat(a.abstained()).isFalse();
        assertThat(a.droppedCitations()).isEqualTo(1);
        assertThat(a.citations()).containsExactly(new Citation(2, "d1", paris.id(), 25, 30, 525, 530));
        assertThat(a.passagesShown()).isEqualTo(2);
        assertThat(gen.requests.getFirst().grammar()).contains("s1 ::=").contains("s2 ::=");
    }

    @Test
    void aCitedPassageWithoutTheAnswerIsMarkedNotVerbatim() {
        var gen = new ScriptedGenerator(false, "Paris [1]");
        GroundedAnswer a = new GroundedAnswerer(gen).answer("What is the capital of France?", List.of(berlin, paris));
        assertThat(a.citations()).singleElement().satisfies(c -> {
            assertThat(c.passage()).isEqualTo(1);
            assertThat(c.verbatim()).isFalse();
        });
        assertThat(gen.requests.getFirst().grammar()).isNull(); // no grammar for generators that cannot enforce one
    }

    @Test
    void abstainsWithoutCallingTheModelWhenNoPassageIsGiven() {
        var gen = new ScriptedGenerator(true, "never");
        List<String> events = new ArrayList<>();
        GroundedAnswer a = new GroundedAnswerer(gen).answer("Anything?", List.of(), listener(events));
        assertThat(a.abstained()).isTrue();
        assertThat(a.answer()).isEqualTo(GroundedPrompt.ABSTAIN);
        assertThat(gen.requests).isEmpty();
        assertThat(events).containsExactly("token:" + GroundedPrompt.ABSTAIN, "complete");
    }

    @Test
    void streamsTokensThenTheCitedAnswer() {
        var gen = new ScriptedGenerator(true, " Ber", "lin", " [1]");
        List<String> events = new ArrayList<>();
        GroundedAnswer a = new GroundedAnswerer(gen).answer("Capital of Germany?", List.of(berlin), listener(events));
        assertThat(events).containsExactly("token: Ber", "token:lin", "token: [1]", "complete");
        assertThat(a.citations()).extracting(Citation::chunkId).containsExactly(berlin.id());
    }

    @Test
    void citationsNameTheShownPassageWhenAMiddleOneIsSkippedForTheBudget() {
        // The middle passage does not fit the 400-token window, so the prompt shows passages 1 and 3 as [1], [2].
        Chunk huge = Fixtures.chunk("d3", "Filler", "word ".repeat(500).strip());
        var gen = new ScriptedGenerator(true, "Paris [2]");
        GroundedAnswer a = new GroundedAnswerer(gen, 16, true).answer("What is the capital of France?", List.of(berlin, huge, paris));
        assertThat(a.passagesOmitted()).isEqualTo(1);
        assertThat(gen.requests.getFirst().user()).doesNotContain("word word");
        assertThat(a.citations()).singleElement().satisfies(c -> {
            assertThat(c.passage()).isEqualTo(2);
            assertThat(c.chunkId()).isEqualTo(paris.id()); // not huge.id(), the second passage given
            assertThat(paris.text().substring(c.start(), c.end())).isEqualTo("Paris");
        });
    }

    private static AnswerListener listener(List<String> events) {
        return new AnswerListener() {
            @Override public void onToken(String token) { events.add("token:" + token); }
            @Override public void onComplete(GroundedAnswer answer) { events.add("complete"); }
        };
    }
}
