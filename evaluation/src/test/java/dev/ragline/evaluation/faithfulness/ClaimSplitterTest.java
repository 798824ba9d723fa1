package dev.ragline.evaluation.faithfulness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClaimSplitterTest {
    private final ClaimSplitter splitter = new ClaimSplitter();

    @Test
    void oneClaimPerSentenceWithItsOwnMarkers() {
        List<Claim> claims = splitter.split("Paris is the capital of France [1]. It has 2 million people [2, 3].");
        assertThat(claims).containsExactly(
                new Claim("Paris is the capital of France.", List.of(1)),
                new Claim("It has 2 million people.", List.of(2, 3)));
    }

    @Test
    void markersAfterTheFullStopBelongToThatSentence() {
        List<Claim> claims = splitter.split("Rollo led the Normans. [2] He swore fealty to Charles. [1][3]");
        assertThat(claims).containsExactly(
                new Claim("Rollo led the Normans.", List.of(2)),
                new Claim("He swore fealty to Charles.", List.of(1, 3)));
    }

    @Test
    void sentenceWithoutMarkersHasNoCitations() {
        assertThat(splitter.split("No citation here. But here [4]."))
                .containsExactly(new Claim("No citation here.", List.of()), new Claim("But here.", List.of(4)));
    }

    @Test
    void markerOnlyTextIsNotAClaimAndItsMarkersAreKept() {
        assertThat(splitter.split("[1]")).isEmpty();
        assertThat(splitter.split("[1] Oxygen has atomic number 8."))
                .containsExactly(new Claim("Oxygen has atomic number 8.", List.of(1)));
    }

    @Test
    void emptyAnswerHasNoClaims() {
        assertThat(splitter.split("")).isEmpty();
        assertThat(splitter.split("   ")).isEmpty();
    }

    @Test
    void repeatedMarkersAreCountedOnce() {
        assertThat(ClaimSplitter.citations("a [2] b [2] c [1,2]")).containsExactly(2, 1);
    }

    @Test
    void sentencesOfAPassage() {
        assertThat(ClaimSplitter.sentences("One sentence. Another one! A third?"))
                .containsExactly("One sentence.", "Another one!", "A third?");
    }

    @Test
    void abbreviationsInitialsAndDecimalsDoNotEndASentence() {
        assertThat(ClaimSplitter.sentences("Dr. Smith met J. R. Tolkien in the U.S. in 1937. It cost 3.5 dollars, e.g. a lot."))
                .containsExactly("Dr. Smith met J. R. Tolkien in the U.S. in 1937.", "It cost 3.5 dollars, e.g. a lot.");
    }

    @Test
    void lowerCaseSentencesAndClosingQuotesStillSplit() {
        assertThat(ClaimSplitter.sentences("cats purr. dogs bark! \"Really?\" he asked."))
                .containsExactly("cats purr.", "dogs bark!", "\"Really?\"", "he asked.");
    }
}
