package dev.ragline.evaluation.faithfulness;

import java.util.List;

/**
 * One checkable statement of an answer: a sentence with its citation markers removed.
 *
 * @param text      the sentence without markers
 * @param citations the passage numbers (1-based, as written in the answer) the sentence cites, in order, distinct
 */
public record Claim(String text, List<Integer> citations) {
    public Claim {
        citations = List.copyOf(citations);
    }
}
