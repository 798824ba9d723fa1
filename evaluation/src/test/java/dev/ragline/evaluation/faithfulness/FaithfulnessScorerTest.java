package dev.ragline.evaluation.faithfulness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FaithfulnessScorerTest {

    /** Supported when, together, the passages contain every word of the claim: easy to compute by hand. */
    static final class AllWordsJudge implements SupportJudge {
        final List<String> calls = new ArrayList<>();

        @Override
        public String name() {
            return "all-words";
        }

        @Override
        public double score(String claim, List<String> passages) {
            calls.add(claim + " | " + passages);
            String text = String.join(" ", passages).toLowerCase();
            for (String w : claim.toLowerCase().replaceAll("[^a-z0-9 ]", "").split(" "))
                if (!w.isBlank() && !text.contains(w)) return 0;
            return 1;
        }

        @Override
        public double threshold() {
            return 0.5;
        }
    }

    private static GeneratedAnswer answer(String id, String text, List<Integer> citations, String... passages) {
        List<GeneratedAnswer.Passage> ps = new ArrayList<>();
        for (int i = 0; i < passages.length; i++) ps.add(new GeneratedAnswer.Passage("p" + (i + 1), passages[i]));
        return new GeneratedAnswer(id, "q", text, ps, citations);
    }

    private final FaithfulnessScorer scorer = new FaithfulnessScorer(new AllWordsJudge(), Set.of("I don't know."));

    @Test
    void supportedShareAndAlceCitationPrecisionAndRecall() {
        // claim 1 cites [1] which holds its words: supported, citation relevant.
        // claim 2 cites [1,2]: supported only by both together: both citations relevant (each is needed).
        // claim 3 cites [3] which does not hold "purple": unsupported, citation irrelevant.
        GeneratedAnswer a = answer("a", "cats purr [1]. dogs bark loudly [1][2]. cats are purple [3].", List.of(),
                "cats purr and dogs bark", "they do it loudly", "cats are black");
        FaithfulnessScorer.AnswerScore s = scorer.score(a);
        assertThat(s.claims()).extracting(FaithfulnessScorer.ClaimVerdict::supported).containsExactly(true, true, false);
        assertThat(s.claims()).extracting(FaithfulnessScorer.ClaimVerdict::relevant).containsExactly(1, 2, 0);
        assertThat(s.supportedShare()).isCloseTo(2.0 / 3, within(1e-12));

        FaithfulnessScorer.Summary sum = scorer.summarize(List.of(s));
        assertThat(sum.claims()).isEqualTo(3);
        assertThat(sum.citations()).isEqualTo(4);
        assertThat(sum.citationPrecision()).isCloseTo(3.0 / 4, within(1e-12));
        assertThat(sum.citationRecall()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void redundantCitationIsIrrelevant() {
        // [1] alone supports; [2] neither supports alone nor is needed: precision 1/2.
        FaithfulnessScorer.AnswerScore s = scorer.score(answer("b", "cats purr [1][2].", List.of(),
                "cats purr", "dogs bark"));
        assertThat(s.claims().getFirst().supported()).isTrue();
        assertThat(s.claims().getFirst().relevant()).isEqualTo(1);
        assertThat(scorer.summarize(List.of(s)).citationPrecision()).isEqualTo(0.5);
    }

    @Test
    void uncitedSentenceInheritsTheAnswersCitationsButEarnsNoRecall() {
        FaithfulnessScorer.AnswerScore s = scorer.score(answer("c", "cats purr. dogs bark [1].", List.of(),
                "cats purr and dogs bark"));
        assertThat(s.claims()).extracting(FaithfulnessScorer.ClaimVerdict::inherited).containsExactly(true, false);
        assertThat(s.supportedShare()).isEqualTo(1.0);
        assertThat(scorer.summarize(List.of(s)).citationRecall()).isEqualTo(0.5);
    }

    @Test
    void answerLevelCitationsApplyWhenTheTextHasNoMarkers() {
        FaithfulnessScorer.AnswerScore s = scorer.score(answer("d", "cats purr.", List.of(2), "dogs bark", "cats purr"));
        assertThat(s.claims().getFirst().citations()).containsExactly(2);
        assertThat(s.claims().getFirst().supported()).isTrue();
    }

    @Test
    void claimCitingNothingIsUnsupportedWithoutAskingTheJudge() {
        AllWordsJudge judge = new AllWordsJudge();
        FaithfulnessScorer s = new FaithfulnessScorer(judge, Set.of());
        FaithfulnessScorer.AnswerScore score = s.score(answer("e", "cats purr.", List.of(), "cats purr"));
        assertThat(score.supportedShare()).isZero();
        assertThat(judge.calls).isEmpty();
    }

    @Test
    void citationsToMissingPassagesAreCountedAndIrrelevant() {
        FaithfulnessScorer.AnswerScore s = scorer.score(answer("f", "cats purr [1][7].", List.of(), "cats purr"));
        assertThat(s.invalidCitations()).isEqualTo(1);
        FaithfulnessScorer.Summary sum = scorer.summarize(List.of(s));
        assertThat(sum.citations()).isEqualTo(2);
        assertThat(sum.citationPrecision()).isEqualTo(0.5);
        assertThat(sum.invalidCitations()).isEqualTo(1);
    }

    @Test
    void abstentionsHaveNoClaimsAndSharesOverNothingAreNull() {
        FaithfulnessScorer.AnswerScore s = scorer.score(answer("g", "I don't know", List.of(), "cats purr"));
        assertThat(s.abstained()).isTrue();
        assertThat(s.supportedShare()).isNull();
        FaithfulnessScorer.Summary sum = scorer.summarize(List.of(s));
        assertThat(sum.abstained()).isEqualTo(1);
        assertThat(sum.supportedShare()).isNull();
        assertThat(sum.citationPrecision()).isNull();
        assertThat(sum.meanAnswerSupportedShare()).isNull();
    }

    @Test
    void microAndMacroSharesDiffer() {
        // answer 1: 1 of 1 supported; answer 2: 1 of 3 supported. micro 2/4, macro (1 + 1/3)/2.
        var one = scorer.score(answer("h", "cats purr [1].", List.of(), "cats purr"));
        var two = scorer.score(answer("i", "cats purr [1]. cats fly [1]. cats swim [1].", List.of(), "cats purr"));
        FaithfulnessScorer.Summary sum = scorer.summarize(List.of(one, two));
        assertThat(sum.supportedShare()).isEqualTo(0.5);
        assertThat(sum.meanAnswerSupportedShare()).isCloseTo((1 + 1.0 / 3) / 2, within(1e-12));
        assertThat(sum.answerShares()).hasSize(2);
    }
}
