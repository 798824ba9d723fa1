package dev.ragline.evaluation.faithfulness;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Offline judge that always works: how much of the claim's wording the passages contain.
 * <p>
 * score = (containment + salient containment) / 2, where containment is the share of the claim's distinct content
 * words (lower-cased, stop words left out) found among the passages' words, and salient containment the same share
 * over the claim's numbers and capitalised words, the tokens a swapped fact changes. A claim without salient words
 * uses its containment twice. A claim without content words falls back to all its words; one without any word scores
 * 0.
 */
public final class LexicalJudge implements SupportJudge {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "did", "do", "does", "for", "from", "had",
            "has", "have", "he", "her", "his", "in", "into", "is", "it", "its", "of", "on", "or", "she", "that", "the",
            "their", "them", "they", "this", "those", "these", "to", "was", "were", "which", "who", "whom", "with",
            "would", "will", "can", "could", "than", "then", "there", "also", "not", "no", "s");

    private final double threshold;

    public LexicalJudge() {
        this(0.8);
    }

    public LexicalJudge(double threshold) {
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "lexical";
    }

    @Override
    public double threshold() {
        return threshold;
    }

    @Override
    public double score(String claim, List<String> passages) {
        Set<String> passageWords = new HashSet<>();
        for (String p : passages) passageWords.addAll(words(p, false));
        Set<String> all = words(claim, false);
        Set<String> content = new LinkedHashSet<>(all);
        content.removeAll(STOP_WORDS);
        if (content.isEmpty()) content = all;
        if (content.isEmpty()) return 0;
        double containment = containment(content, passageWords);
        Set<String> salient = words(claim, true);
        salient.removeAll(STOP_WORDS);
        double salientContainment = salient.isEmpty() ? containment : containment(salient, passageWords);
        return (containment + salientContainment) / 2;
    }

    private static double containment(Set<String> claimWords, Set<String> passageWords) {
        long found = claimWords.stream().filter(passageWords::contains).count();
        return (double) found / claimWords.size();
    }

    /** Distinct lower-cased words; with {@code salientOnly}, only numbers and words written with a capital. */
    static Set<String> words(String text, boolean salientOnly) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String w = m.group();
            boolean salient = Character.isDigit(w.charAt(0)) || Character.isUpperCase(w.charAt(0));
            if (!salientOnly || salient) out.add(w.toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
