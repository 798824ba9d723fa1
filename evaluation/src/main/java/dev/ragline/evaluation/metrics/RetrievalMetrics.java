package dev.ragline.evaluation.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Per-query retrieval metrics with the definitions BEIR uses (pytrec_eval for nDCG and recall, BEIR's own code
 * for MRR), so that figures compare with published ones. A document is relevant when its qrels grade is above 0;
 * unjudged documents count as not relevant. Rankings are best first; a ranking shorter than k is fine.
 * A query without any relevant document scores 0 on every metric (as pytrec_eval does).
 */
public final class RetrievalMetrics {
    private RetrievalMetrics() {
    }

    /**
     * nDCG@k with graded relevance: DCG = sum over ranks i = 1..k of grade / log2(i + 1) (linear gain, as
     * trec_eval), divided by the DCG of the ideal order of all judged relevant documents.
     */
    public static double ndcgAtK(List<String> ranking, Map<String, Integer> qrels, int k) {
        requirePositive(k);
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) dcg += gain(qrels, ranking.get(i)) / log2(i + 2);
        List<Integer> ideal = qrels.values().stream().filter(g -> g > 0).sorted(Comparator.reverseOrder()).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) idcg += ideal.get(i) / log2(i + 2);
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** Share of the relevant documents found in the top k. */
    public static double recallAtK(List<String> ranking, Map<String, Integer> qrels, int k) {
        requirePositive(k);
        long relevant = qrels.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) return 0;
        long found = ranking.stream().limit(k).distinct().filter(doc -> gain(qrels, doc) > 0).count();
        return (double) found / relevant;
    }

    /** Reciprocal rank of the first relevant document within the top k, 0 when there is none. */
    public static double mrrAtK(List<String> ranking, Map<String, Integer> qrels, int k) {
        requirePositive(k);
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (gain(qrels, ranking.get(i)) > 0) return 1.0 / (i + 1);
        }
        return 0;
    }

    /**
     * Orders scored documents as trec_eval (and so pytrec_eval and BEIR) does: by score descending, equal scores
     * by document id descending. Rank-based metrics depend on this order, so ties must be broken the same way.
     */
    public static List<String> rank(Map<String, Double> scores) {
        List<Map.Entry<String, Double>> entries = new ArrayList<>(scores.entrySet());
        entries.sort(Map.Entry.<String, Double>comparingByValue().reversed()
                .thenComparing(Map.Entry.<String, Double>comparingByKey().reversed()));
        return entries.stream().map(Map.Entry::getKey).toList();
    }

    private static int gain(Map<String, Integer> qrels, String doc) {
        return Math.max(0, qrels.getOrDefault(doc, 0));
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static void requirePositive(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
}
