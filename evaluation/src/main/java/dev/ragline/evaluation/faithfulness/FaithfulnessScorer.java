package dev.ragline.evaluation.faithfulness;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Scores answers claim by claim against the passages they cite.
 * <ul>
 * <li>A claim's cited passages are its own markers; a sentence without markers inherits every citation of the
 * answer (generators often cite once at the end). A claim citing nothing is unsupported.</li>
 * <li>supported: the judge accepts the claim against the concatenation of its cited passages.</li>
 * <li>citation recall (as in ALCE): share of all claims that carry citations of their own and are supported by
 * them.</li>
 * <li>citation precision (as in ALCE): share of citations that are relevant: the cited passage supports the claim
 * alone, or the claim is supported with it and no longer without it. Citations to passages that do not exist count
 * as irrelevant.</li>
 * </ul>
 * An answer equal to an abstain phrase has no claims and is counted apart.
 */
public final class FaithfulnessScorer {
    private final ClaimSplitter splitter = new ClaimSplitter();
    private final SupportJudge judge;
    private final Set<String> abstainPhrases;

    public FaithfulnessScorer(SupportJudge judge, Set<String> abstainPhrases) {
        this.judge = judge;
        this.abstainPhrases = new LinkedHashSet<>();
        for (String p : abstainPhrases) this.abstainPhrases.add(normalise(p));
    }

    public SupportJudge judge() {
        return judge;
    }

    /**
     * @param citations  the passage numbers the judge used
     * @param inherited  true when the sentence had no valid marker of its own and used the answer's citations
     * @param relevant   how many of {@code citations} are relevant (precision numerator)
     */
    public record ClaimVerdict(String text, List<Integer> citations, boolean inherited, double score,
                               boolean supported, int relevant) {
    }

    /** @param invalidCitations markers naming a passage number that was not given */
    public record AnswerScore(String id, boolean abstained, List<ClaimVerdict> claims, int invalidCitations) {
        /** Supported claims / claims; null for an answer without claims. */
        public Double supportedShare() {
            if (claims.isEmpty()) return null;
            return (double) claims.stream().filter(ClaimVerdict::supported).count() / claims.size();
        }
    }

    public AnswerScore score(GeneratedAnswer answer) {
        if (abstainPhrases.contains(normalise(answer.answer())))
            return new AnswerScore(answer.id(), true, List.of(), 0);
        List<Claim> claims = splitter.split(answer.answer());
        int n = answer.passages().size();
        int invalid = 0;
        Set<Integer> answerLevel = new LinkedHashSet<>();
        for (int c : answer.citations()) {
            if (c >= 1 && c <= n) answerLevel.add(c);
            else invalid++;
        }
        for (Claim claim : claims)
            for (int c : claim.citations()) {
                if (c >= 1 && c <= n) answerLevel.add(c);
                else invalid++;
            }
        List<ClaimVerdict> verdicts = new ArrayList<>();
        for (Claim claim : claims) {
            List<Integer> own = claim.citations().stream().filter(c -> c >= 1 && c <= n).toList();
            boolean inherited = own.isEmpty();
            List<Integer> used = inherited ? List.copyOf(answerLevel) : own;
            verdicts.add(judgeClaim(claim.text(), used, inherited, answer));
        }
        return new AnswerScore(answer.id(), false, verdicts, invalid);
    }

    private ClaimVerdict judgeClaim(String text, List<Integer> used, boolean inherited, GeneratedAnswer answer) {
        if (used.isEmpty()) return new ClaimVerdict(text, used, inherited, 0, false, 0);
        double score = judge.score(text, passages(answer, used));
        boolean supported = score >= judge.threshold();
        int relevant = 0;
        if (used.size() == 1) relevant = supported ? 1 : 0;
        else for (int c : used) {
            boolean alone = judge.supports(text, passages(answer, List.of(c)));
            if (alone) relevant++;
            else if (supported) {
                List<Integer> rest = used.stream().filter(x -> x != c).toList();
                if (!judge.supports(text, passages(answer, rest))) relevant++;
            }
        }
        return new ClaimVerdict(text, used, inherited, score, supported, relevant);
    }

    private static List<String> passages(GeneratedAnswer answer, List<Integer> numbers) {
        return numbers.stream().map(c -> answer.passages().get(c - 1).text()).toList();
    }

    private static String normalise(String s) {
        String t = ClaimSplitter.citations(s).isEmpty() ? s : s.replaceAll("\\[[\\d,\\s]+]", " ");
        return t.toLowerCase(Locale.ROOT).replaceAll("[\\p{Punct}\\s]+", " ").strip();
    }

    /**
     * Totals over answers. Shares over nothing (no claims, no citations) are null.
     *
     * @param supportedShare         supported claims / claims, over all answers (micro)
     * @param meanAnswerSupportedShare mean over answers with claims of their supported share (macro)
     */
    public record Summary(String judge, int answers, int abstained, int answersWithClaims, int claims,
                          int supportedClaims, Double supportedShare, Double meanAnswerSupportedShare,
                          int citations, int relevantCitations, int invalidCitations, Double citationPrecision,
                          int claimsSupportedByOwnCitations, Double citationRecall, List<Double> answerShares) {
    }

    public Summary summarize(List<AnswerScore> scores) {
        int abstained = 0, withClaims = 0, claims = 0, supported = 0, citations = 0, relevant = 0, invalid = 0, own = 0;
        double shareSum = 0;
        List<Double> shares = new ArrayList<>();
        for (AnswerScore s : scores) {
            if (s.abstained()) abstained++;
            invalid += s.invalidCitations();
            citations += s.invalidCitations();
            Double share = s.supportedShare();
            if (share != null) {
                withClaims++;
                shareSum += share;
                shares.add(share);
            }
            for (ClaimVerdict v : s.claims()) {
                claims++;
                if (v.supported()) supported++;
                if (v.supported() && !v.inherited()) own++;
                citations += v.citations().size();
                relevant += v.relevant();
            }
        }
        return new Summary(judge.name(), scores.size(), abstained, withClaims, claims, supported,
                ratio(supported, claims), withClaims == 0 ? null : shareSum / withClaims, citations, relevant, invalid,
                ratio(relevant, citations), own, ratio(own, claims), shares);
    }

    private static Double ratio(int a, int b) {
        return b == 0 ? null : (double) a / b;
    }
}
