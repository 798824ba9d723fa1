package dev.ragline.classifier;

import java.util.List;

/**
 * The classifier's answer for one text.
 *
 * @param label       the most probable label
 * @param probability its calibrated probability (temperature-scaled softmax)
 * @param topLabels   the most probable labels, best first, with calibrated probabilities
 * @param oosScore    out-of-scope score (higher = more likely out of scope; meaning depends on {@code oosMethod})
 * @param oosMethod   how {@code oosScore} was computed
 * @param outOfScope  true when the score is above the artifact's out-of-scope threshold or the predicted
 *                    label is the out-of-scope label the head was trained with
 */
public record Classification(String label, double probability, List<ScoredLabel> topLabels, double oosScore,
                             OosMethod oosMethod, boolean outOfScope) {
    public Classification {
        topLabels = List.copyOf(topLabels);
    }
}
