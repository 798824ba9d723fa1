package dev.ragline.evaluation.faithfulness;

import dev.ragline.classifier.metrics.Auroc;
import dev.ragline.evaluation.Progress;
import dev.ragline.evaluation.qa.SquadDataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures judges on a labelled set built from SQuAD: for a sampled answerable question, the context sentence that
 * holds its gold answer is a claim. Paired with its own paragraph it is supported ({@code gold}); paired with another
 * paragraph of the same article that does not contain the answer it is not ({@code wrong-passage}); with the answer
 * replaced by another fact (numbers shifted, or another answer of the same article and shape) and paired with its own
 * paragraph it is not either ({@code altered-fact}). Each judge is scored by AUROC over all examples and per kind of
 * unsupported example.
 */
public final class JudgeBenchmark {
    public static final String GOLD = "gold", WRONG_PASSAGE = "wrong-passage", ALTERED_FACT = "altered-fact";
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private JudgeBenchmark() {
    }

    public record Example(String id, String kind, String claim, String passage, boolean supported) {
    }

    /** A paragraph with the title of its article. */
    private record Paragraph(String article, SquadDataset.Paragraph paragraph) {
        String context() {
            return paragraph.context();
        }
    }

    /**
     * @param maxQuestions how many questions to sample (at most one per paragraph); each gives up to three examples
     */
    public static List<Example> build(SquadDataset data, int maxQuestions, long seed) {
        Random random = new Random(seed);
        List<Paragraph> paragraphs = new ArrayList<>();
        Map<String, List<Paragraph>> byArticle = new LinkedHashMap<>();
        Map<String, List<String>> answersByArticle = new LinkedHashMap<>();
        for (SquadDataset.Article a : data.articles())
            for (SquadDataset.Paragraph p : a.paragraphs()) {
                Paragraph para = new Paragraph(a.title(), p);
                paragraphs.add(para);
                byArticle.computeIfAbsent(a.title(), t -> new ArrayList<>()).add(para);
                for (SquadDataset.Question q : p.questions())
                    if (!q.impossible() && !q.answers().isEmpty())
                        answersByArticle.computeIfAbsent(a.title(), t -> new ArrayList<>()).add(q.answers().getFirst());
            }
        List<Paragraph> order = new ArrayList<>(paragraphs);
        Collections.shuffle(order, random);
        List<Example> out = new ArrayList<>();
        int taken = 0;
        for (Paragraph p : order) {
            if (taken >= maxQuestions) break;
            List<SquadDataset.Question> answerable = new ArrayList<>(p.paragraph().questions().stream()
                    .filter(q -> !q.impossible() && !q.answers().isEmpty()).toList());
            Collections.shuffle(answerable, random);
            for (SquadDataset.Question q : answerable) {
                String answer = q.answers().getFirst();
                int start = answer.isBlank() ? -1 : p.context().indexOf(answer);
                if (start < 0) continue;
                int[] sentence = sentenceAround(p.context(), start, start + answer.length());
                String claim = p.context().substring(sentence[0], sentence[1]).strip();
                if (claim.length() < 20) continue; // fragments ("1851.") are not claims
                taken++;
                out.add(new Example(q.id() + "/gold", GOLD, claim, p.context(), true));
                Paragraph other = wrongPassage(p, answer, byArticle.get(p.article()), paragraphs, random);
                if (other != null)
                    out.add(new Example(q.id() + "/wrong", WRONG_PASSAGE, claim, other.context(), false));
                String fact = alteredAnswer(answer, p.context(), answersByArticle.get(p.article()), random);
                if (fact != null) {
                    String raw = p.context().substring(sentence[0], sentence[1]);
                    int at = start - sentence[0];
                    String altered = (raw.substring(0, at) + fact + raw.substring(at + answer.length())).strip();
                    out.add(new Example(q.id() + "/altered", ALTERED_FACT, altered, p.context(), false));
                }
                break;
            }
        }
        return out;
    }

    /** [start, end) of the sentence(s) covering [from, to): answers may straddle a sentence break. */
    static int[] sentenceAround(String text, int from, int to) {
        int start = 0, end = text.length();
        for (int[] span : ClaimSplitter.sentenceSpans(text)) {
            if (span[0] <= from) start = span[0];
            if (span[1] >= to) {
                end = span[1];
                break;
            }
        }
        return new int[]{start, end};
    }

    private static Paragraph wrongPassage(Paragraph p, String answer, List<Paragraph> sameArticle,
                                          List<Paragraph> all, Random random) {
        String needle = answer.toLowerCase(Locale.ROOT);
        for (List<Paragraph> pool : List.of(sameArticle, all)) {
            List<Paragraph> candidates = new ArrayList<>(pool.stream()
                    .filter(o -> o != p && !o.context().toLowerCase(Locale.ROOT).contains(needle)).toList());
            if (!candidates.isEmpty()) return candidates.get(random.nextInt(candidates.size()));
        }
        return null;
    }

    /**
     * Another fact in place of the answer: each number shifted by 1..9, or else another answer of the same article
     * with the same shape (capitalised or not) that the context does not contain. Null when there is none.
     */
    static String alteredAnswer(String answer, String context, List<String> articleAnswers, Random random) {
        String lowerContext = context.toLowerCase(Locale.ROOT);
        if (NUMBER.matcher(answer).find()) {
            for (int attempt = 0; attempt < 5; attempt++) {
                Matcher m = NUMBER.matcher(answer);
                StringBuilder sb = new StringBuilder();
                while (m.find()) {
                    long value = Long.parseLong(m.group().length() > 15 ? m.group().substring(0, 15) : m.group());
                    m.appendReplacement(sb, Long.toString(value + 1 + random.nextInt(9)));
                }
                m.appendTail(sb);
                String altered = sb.toString();
                if (!lowerContext.contains(altered.toLowerCase(Locale.ROOT))) return altered;
            }
            return null;
        }
        boolean capitalised = Character.isUpperCase(answer.charAt(0));
        Set<String> seen = new HashSet<>();
        List<String> candidates = new ArrayList<>();
        for (String other : articleAnswers) {
            if (other.isBlank() || !seen.add(other.toLowerCase(Locale.ROOT))) continue;
            if (Character.isUpperCase(other.charAt(0)) != capitalised || NUMBER.matcher(other).find()) continue;
            if (lowerContext.contains(other.toLowerCase(Locale.ROOT))) continue;
            candidates.add(other);
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    /**
     * One judge's result.
     *
     * @param auroc              over all examples (supported = positive)
     * @param aurocByKind        gold against each kind of unsupported example
     * @param accuracy           share of examples the judge gets right at its own threshold
     * @param meanMillisPerClaim wall time per judged example
     */
    public record JudgeResult(String judge, int examples, double auroc, Map<String, Double> aurocByKind,
                              double threshold, double accuracy, double meanMillisPerClaim, double[] scores) {
    }

    /** @param progress makes a progress line for a phase (its name, its number of steps) */
    public static JudgeResult evaluate(SupportJudge judge, List<Example> examples,
                                       java.util.function.BiFunction<String, Long, Progress> progress) {
        if (judge instanceof EmbeddingJudge embedding) {
            // Encode everything first, in batches, so the progress line moves and the encoder batches by call.
            List<String> texts = new ArrayList<>();
            for (Example e : examples) {
                texts.add(e.claim());
                texts.addAll(ClaimSplitter.sentences(e.passage()));
            }
            List<String> distinct = List.copyOf(new java.util.LinkedHashSet<>(texts));
            try (Progress p = progress.apply("encode for " + judge.name(), (long) distinct.size())) {
                for (int i = 0; i < distinct.size(); i += 64) {
                    List<String> batch = distinct.subList(i, Math.min(distinct.size(), i + 64));
                    embedding.prefetch(batch);
                    p.advance(batch.size());
                }
            }
        }
        double[] scores = new double[examples.size()];
        boolean[] positive = new boolean[examples.size()];
        int right = 0;
        long t0 = System.nanoTime();
        try (Progress p = progress.apply("judge " + judge.name(), (long) examples.size())) {
            for (int i = 0; i < examples.size(); i++) {
                Example e = examples.get(i);
                scores[i] = judge.score(e.claim(), List.of(e.passage()));
                positive[i] = e.supported();
                if ((scores[i] >= judge.threshold()) == e.supported()) right++;
                p.step();
            }
        }
        double millis = (System.nanoTime() - t0) / 1e6 / Math.max(1, examples.size());
        Map<String, Double> byKind = new LinkedHashMap<>();
        for (String kind : List.of(WRONG_PASSAGE, ALTERED_FACT)) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                String k = examples.get(i).kind();
                if (k.equals(GOLD) || k.equals(kind)) idx.add(i);
            }
            double[] s = idx.stream().mapToDouble(i -> scores[i]).toArray();
            boolean[] p = new boolean[idx.size()];
            for (int j = 0; j < idx.size(); j++) p[j] = positive[idx.get(j)];
            if (idx.stream().anyMatch(i -> !positive[i]) && idx.stream().anyMatch(i -> positive[i]))
                byKind.put(kind, Auroc.auroc(s, p));
        }
        return new JudgeResult(judge.name(), examples.size(), Auroc.auroc(scores, positive), byKind,
                judge.threshold(), (double) right / examples.size(), millis, scores);
    }

    /** ROC curve points (false positive rate, true positive rate), one per distinct score, highest first. */
    public static List<dev.ragline.evaluation.report.Charts.Curve.Point> roc(double[] scores, boolean[] positive) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long pos = 0;
        for (boolean p : positive) if (p) pos++;
        long neg = scores.length - pos;
        List<dev.ragline.evaluation.report.Charts.Curve.Point> out = new ArrayList<>();
        out.add(new dev.ragline.evaluation.report.Charts.Curve.Point(0, 0));
        long tp = 0, fp = 0;
        for (int i = 0; i < order.length; i++) {
            if (positive[order[i]]) tp++;
            else fp++;
            boolean lastOfTie = i + 1 == order.length || scores[order[i + 1]] != scores[order[i]];
            if (lastOfTie) out.add(new dev.ragline.evaluation.report.Charts.Curve.Point(
                    neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos));
        }
        return out;
    }
}
