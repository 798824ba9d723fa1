package dev.ragline.generation;

import java.util.List;

/**
 * GBNF grammar (llama.cpp) that admits only " SPAN [n]" where SPAN is a substring of passage n starting at a
 * word start and ending at a word end, or " " + the abstain phrase. Linear in the passages' length: one rule per
 * character position, each matching its character and then either ending or continuing with the next position.
 */
public final class SpanGrammar {
    private SpanGrammar() {
    }

    public static String build(List<String> passages) {
        return build(passages, true);
    }

    /** @param allowAbstain false: only spans (used to find the best span when abstaining is decided separately) */
    public static String build(List<String> passages, boolean allowAbstain) {
        StringBuilder g = new StringBuilder(64 * passages.stream().mapToInt(String::length).sum() + 256);
        g.append("root ::= \" \" ( ");
        boolean any = false;
        for (int n = 1; n <= passages.size(); n++) {
            if (!hasWord(passages.get(n - 1))) continue;
            if (any) g.append(" | ");
            g.append("s").append(n).append(" \" [").append(n).append("]\"");
            any = true;
        }
        if (allowAbstain || !any) {
            if (any) g.append(" | ");
            g.append(literal(GroundedPrompt.ABSTAIN));
        }
        g.append(" )\n");
        for (int n = 1; n <= passages.size(); n++) {
            String text = passages.get(n - 1);
            if (!hasWord(text)) continue;
            int[] cps = text.codePoints().toArray();
            StringBuilder starts = new StringBuilder();
            for (int j = 0; j < cps.length; j++) {
                if (isWordStart(cps, j)) starts.append(starts.isEmpty() ? "" : " | ").append(name(n, j));
            }
            g.append('s').append(n).append(" ::= ").append(starts).append('\n');
            for (int j = 0; j < cps.length; j++) {
                String c = literal(new String(cps, j, 1));
                g.append(name(n, j)).append(" ::= ");
                boolean last = j == cps.length - 1;
                if (!last) g.append(c).append(' ').append(name(n, j + 1));
                if (isWordEnd(cps, j)) g.append(last ? "" : " | ").append(c);
                g.append('\n');
            }
        }
        return g.toString();
    }

    private static String name(int n, int j) {
        return "p" + n + "-" + j;
    }

    private static boolean hasWord(String text) {
        return text.codePoints().anyMatch(Character::isLetterOrDigit);
    }

    static boolean isWordStart(int[] cps, int j) {
        if (!Character.isLetterOrDigit(cps[j]) && !isOpening(cps[j])) return false;
        return j == 0 || Character.isWhitespace(cps[j - 1]) || (isOpening(cps[j - 1]) && !isOpening(cps[j]));
    }

    static boolean isWordEnd(int[] cps, int j) {
        if (Character.isWhitespace(cps[j])) return false;
        if (j == cps.length - 1) return true;
        int next = cps[j + 1];
        return Character.isWhitespace(next) || (!Character.isLetterOrDigit(next) && Character.isLetterOrDigit(cps[j]))
                || (!Character.isLetterOrDigit(cps[j]) && Character.isWhitespace(next));
    }

    private static boolean isOpening(int cp) {
        return cp == '(' || cp == '"' || cp == '\'' || cp == '\u201c' || cp == '\u2018' || cp == '[';
    }

    /** A GBNF string literal. */
    static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) b.append(String.format("\\x%02X", cp));
                    else b.appendCodePoint(cp);
                }
            }
        });
        return b.append('"').toString();
    }
}
