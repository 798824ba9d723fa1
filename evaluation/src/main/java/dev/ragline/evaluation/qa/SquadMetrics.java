package dev.ragline.evaluation.qa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The official SQuAD 2.0 scoring (evaluate-v2.0.py): answers normalised by lower-casing, removing ASCII
 * punctuation and the articles a/an/the and collapsing whitespace; exact match and token F1 take the best
 * gold answer; an unanswerable question has the single gold answer "" and scores 1 only for an empty
 * prediction (an abstention).
 */
public final class SquadMetrics {
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private SquadMetrics() {
    }

    public static String normalize(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        lower.codePoints().filter(cp -> PUNCTUATION.indexOf(cp) < 0).forEach(noPunct::appendCodePoint);
        String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
        return String.join(" ", noArticles.trim().split("\\s+")).trim();
    }

    private static List<String> tokens(String s) {
        String n = normalize(s);
        return n.isEmpty() ? List.of() : Arrays.asList(n.split(" "));
    }

    public static double exact(String prediction, String gold) {
        return normalize(prediction).equals(normalize(gold)) ? 1 : 0;
    }

    public static double f1(String prediction, String gold) {
        List<String> p = tokens(prediction);
        List<String> g = tokens(gold);
        if (p.isEmpty() || g.isEmpty()) return p.equals(g) ? 1 : 0;
        Map<String, Integer> counts = new HashMap<>();
        for (String t : g) counts.merge(t, 1, Integer::sum);
        int common = 0;
        for (String t : p) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                common++;
                counts.put(t, c - 1);
            }
        }
        if (common == 0) return 0;
        double precision = common / (double) p.size();
        double recall = common / (double) g.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** Gold answers as SQuAD scores them: "" for an unanswerable question. */
    public static List<String> golds(List<String> answers) {
        List<String> g = new ArrayList<>();
        for (String a : answers) if (!normalize(a).isEmpty()) g.add(a);
        return g.isEmpty() ? List.of("") : g;
    }

    public static double bestExact(String prediction, List<String> answers) {
        return golds(answers).stream().mapToDouble(g -> exact(prediction, g)).max().orElse(0);
    }

    public static double bestF1(String prediction, List<String> answers) {
        return golds(answers).stream().mapToDouble(g -> f1(prediction, g)).max().orElse(0);
    }

    /** Whether a passage holds one of the gold answers (normalised, as a whole-token substring). */
    public static boolean containsAnswer(String passage, List<String> answers) {
        String p = " " + normalize(passage) + " ";
        for (String a : answers) {
            String n = normalize(a);
            if (!n.isEmpty() && p.contains(" " + n + " ")) return true;
        }
        return false;
    }

    /** Running EM/F1 totals split into answerable (HasAns) and unanswerable (NoAns), reported in percent. */
    public static final class Totals {
        private double em, f1, emHas, f1Has, emNo, f1No;
        private int n, nHas, nNo;

        public void add(String prediction, List<String> answers) {
            boolean has = !golds(answers).equals(List.of(""));
            double e = bestExact(prediction, answers), f = bestF1(prediction, answers);
            em += e;
            f1 += f;
            n++;
            if (has) {
                emHas += e;
                f1Has += f;
                nHas++;
            } else {
                emNo += e;
                f1No += f;
                nNo++;
            }
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("total", n);
            m.put("exact", pct(em, n));
            m.put("f1", pct(f1, n));
            m.put("HasAns_total", nHas);
            m.put("HasAns_exact", pct(emHas, nHas));
            m.put("HasAns_f1", pct(f1Has, nHas));
            m.put("NoAns_total", nNo);
            m.put("NoAns_exact", pct(emNo, nNo));
            m.put("NoAns_f1", pct(f1No, nNo));
            return m;
        }

        private static double pct(double x, int n) {
            return n == 0 ? Double.NaN : Math.round(10000.0 * x / n) / 100.0;
        }
    }

}
