package dev.ragline.evaluation.faithfulness;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits an answer into claims, one per sentence, and reads its citation markers ({@code [1]}, {@code [1, 3]},
 * {@code [2][3]}). Markers written after a sentence's full stop ("... in 1851. [2]") belong to that sentence, not
 * to the next one.
 */
public final class ClaimSplitter {
    private static final Pattern MARKER = Pattern.compile("\\[\\s*(\\d+(?:\\s*,\\s*\\d+)*)\\s*]");
    private static final Pattern HAS_WORD = Pattern.compile("[\\p{L}\\p{N}]");
    private static final Pattern LEADING_MARKERS = Pattern.compile("^(\\s*\\[\\s*\\d+(?:\\s*,\\s*\\d+)*\\s*])+");

    public List<Claim> split(String answer) {
        List<Claim> claims = new ArrayList<>();
        Set<Integer> pending = new LinkedHashSet<>(); // markers seen before any claim
        for (String sentence : sentences(answer)) {
            Matcher leading = LEADING_MARKERS.matcher(sentence);
            if (leading.find() && !claims.isEmpty()) {
                // "Paris is the capital. [1] It is big." : the [1] closes the previous sentence.
                Claim previous = claims.removeLast();
                Set<Integer> merged = new LinkedHashSet<>(previous.citations());
                merged.addAll(citations(leading.group()));
                claims.add(new Claim(previous.text(), List.copyOf(merged)));
                sentence = sentence.substring(leading.end());
            }
            String text = MARKER.matcher(sentence).replaceAll(" ").replaceAll("\\s+", " ").strip();
            text = text.replaceAll("\\s+([.,;:!?])", "$1");
            Set<Integer> cited = new LinkedHashSet<>(pending);
            cited.addAll(citations(sentence));
            if (!HAS_WORD.matcher(text).find()) {
                // Only markers or punctuation: attach the markers to the neighbouring claim, never drop them.
                if (claims.isEmpty()) pending.addAll(cited);
                else {
                    Claim previous = claims.removeLast();
                    Set<Integer> merged = new LinkedHashSet<>(previous.citations());
                    merged.addAll(cited);
                    claims.add(new Claim(previous.text(), List.copyOf(merged)));
                }
                continue;
            }
            pending.clear();
            claims.add(new Claim(text, List.copyOf(cited)));
        }
        return claims;
    }

    /** The citation numbers written in a text, in order of appearance, distinct. */
    public static List<Integer> citations(String text) {
        Set<Integer> out = new LinkedHashSet<>();
        Matcher m = MARKER.matcher(text);
        while (m.find())
            for (String n : m.group(1).split(",")) out.add(Integer.parseInt(n.strip()));
        return List.copyOf(out);
    }

    /** Sentences of a text, trimmed, blank ones left out. */
    public static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (int[] span : sentenceSpans(text)) out.add(text.substring(span[0], span[1]).strip());
        return out;
    }

    /**
     * [start, end) of each sentence. A sentence ends at '.', '!' or '?' (with any closing quotes or brackets) followed
     * by white space, whatever the next word's case (generated text is not always capitalised), except after a known
     * abbreviation or a single-letter initial. Decimal points are not followed by white space, so never split.
     */
    public static List<int[]> sentenceSpans(String text) {
        List<int[]> spans = new ArrayList<>();
        int start = 0;
        Matcher m = END.matcher(text);
        while (m.find()) {
            if (m.group(1) != null && isAbbreviation(m.group(1))) continue;
            addSpan(spans, text, start, m.end(2));
            start = m.end(2);
        }
        addSpan(spans, text, start, text.length());
        return spans;
    }

    private static final Pattern END = Pattern.compile("(?:(\\S+?)\\.|[!?])[\"'\u201d\u2019)]*(?=\\s)()");
    private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt",
            "vs", "etc", "e.g", "i.e", "cf", "al", "inc", "ltd", "co", "no", "fig", "approx", "ca", "u.s", "u.k", "jan",
            "feb", "aug", "sept", "oct", "nov", "dec", "gen", "col", "lt", "rev", "vol", "pp");

    private static boolean isAbbreviation(String wordBeforeDot) {
        String w = wordBeforeDot.replaceAll("^[\\p{Punct}&&[^.]]+", "").toLowerCase(Locale.ROOT);
        return ABBREVIATIONS.contains(w) || (w.length() == 1 && Character.isLetter(w.charAt(0)));
    }

    private static void addSpan(List<int[]> spans, String text, int from, int to) {
        while (from < to && Character.isWhitespace(text.charAt(from))) from++;
        while (to > from && Character.isWhitespace(text.charAt(to - 1))) to--;
        if (from < to) spans.add(new int[]{from, to});
    }
}
