package dev.ragline.generation;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits a model's reply into answer text and citation numbers; numbers outside 1..passages are dropped and counted. */
public final class AnswerParser {
    private static final Pattern CITATION = Pattern.compile("\\[\\s*(\\d+(?:\\s*[,;]\\s*\\d+)*)\\s*]");
    private static final Pattern LEADING_LABEL = Pattern.compile("^(?i)answer\\s*:\\s*");
    private static final String ABSTAIN_KEY = normalise(GroundedPrompt.ABSTAIN);

    /** @param passages valid citation numbers, 1-based, in first-cited order */
    public record Parsed(String answer, boolean abstained, List<Integer> passages, int dropped) {
    }

    private AnswerParser() {
    }

    public static Parsed parse(String raw, int passageCount) {
        String text = raw == null ? "" : raw.strip();
        if (normalise(text).contains(ABSTAIN_KEY) || text.isEmpty())
            return new Parsed(GroundedPrompt.ABSTAIN, true, List.of(), 0);
        Set<Integer> valid = new LinkedHashSet<>();
        int dropped = 0;
        Matcher m = CITATION.matcher(text);
        while (m.find()) {
            for (String n : m.group(1).split("\\s*[,;]\\s*")) {
                int i = Integer.parseInt(n);
                if (i >= 1 && i <= passageCount) valid.add(i);
                else dropped++;
            }
        }
        String answer = CITATION.matcher(text).replaceAll("");
        answer = LEADING_LABEL.matcher(answer.strip()).replaceFirst("");
        answer = answer.replaceAll("[ \\t]+", " ").replaceAll(" ([.,;:!?])", "$1").strip();
        return new Parsed(answer, false, new ArrayList<>(valid), dropped);
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z ]", "").replaceAll("\\s+", " ").strip();
    }
}
