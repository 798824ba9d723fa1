package dev.ragline.evaluation.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion of ranked id lists, in memory: an id at rank r (from 1) of a list adds {@code 1 / (k + r)};
 * ties go to the id seen first. Used for the exact-search reference of hybrid retrieval (exact dense + BM25), where
 * no store does the fusion.
 */
public final class RrfFusion {
    private RrfFusion() {
    }

    public static List<String> fuse(List<List<String>> rankings, int k, int topN) {
        Map<String, Double> scores = new LinkedHashMap<>();
        for (List<String> ranking : rankings)
            for (int r = 0; r < ranking.size(); r++) scores.merge(ranking.get(r), 1.0 / (k + r + 1), Double::sum);
        List<Map.Entry<String, Double>> entries = new ArrayList<>(scores.entrySet());
        entries.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
        return entries.stream().limit(topN).map(Map.Entry::getKey).toList();
    }
}
