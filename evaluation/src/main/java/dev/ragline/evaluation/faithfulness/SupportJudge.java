package dev.ragline.evaluation.faithfulness;

import java.util.List;

/** Decides whether a claim is supported by passages. Scores are comparable within one judge only. */
public interface SupportJudge {

    /** Short stable name used in reports, for example {@code lexical}. */
    String name();

    /** Support score, higher meaning better supported; the judge benchmark ranks by it (AUROC). */
    double score(String claim, List<String> passages);

    /** Scores at or above this count as supported. */
    double threshold();

    default boolean supports(String claim, List<String> passages) {
        return !passages.isEmpty() && score(claim, passages) >= threshold();
    }
}
