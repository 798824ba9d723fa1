package dev.ragline.generation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SpanGrammarTest {

    @Test
    void oneRulePerCharacterAndStartsOnlyAtWordStarts() {
        String g = SpanGrammar.build(List.of("Ab \"c\"", "x"));
        assertThat(g).startsWith("root ::= \" \" ( s1 \" [1]\" | s2 \" [2]\" | \"The passages do not contain the answer.\" )\n");
        // passage 1 = A b space " c " : starts at 'A' (0), at '"' (3) and at 'c' (4, after an opening quote)
        assertThat(g).contains("s1 ::= p1-0 | p1-3 | p1-4\n");
        assertThat(g).contains("p1-0 ::= \"A\" p1-1\n");          // no end inside a word
        assertThat(g).contains("p1-1 ::= \"b\" p1-2 | \"b\"\n");  // may end at the word's end
        assertThat(g).contains("p1-3 ::= \"\\\"\" p1-4\n");       // quote escaped
        assertThat(g).contains("p1-5 ::= \"\\\"\"\n");            // last character: end only
        assertThat(g).contains("s2 ::= p2-0\n");
        assertThat(g.lines().filter(l -> l.startsWith("p1-")).count()).isEqualTo(6);
    }

    @Test
    void spansOnlyWhenAbstainingIsDecidedElsewhere() {
        String g = SpanGrammar.build(List.of("word"), false);
        assertThat(g).doesNotContain(GroundedPrompt.ABSTAIN);
        assertThat(SpanGrammar.build(List.of("..."), false)).contains(GroundedPrompt.ABSTAIN); // no span possible
    }

    @Test
    void escapesControlCharacters() {
        assertThat(SpanGrammar.literal("a\nb\\c\u0001")).isEqualTo("\"a\\nb\\\\c\\x01\"");
    }
}
