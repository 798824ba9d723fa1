package dev.ragline.evaluation.faithfulness;

import java.util.List;
import java.util.Objects;

/**
 * An answer to judge, with the passages it was generated from. Citation markers {@code [n]} in the answer refer to
 * {@code passages.get(n - 1)}. One JSON object per line in an answers file (see evaluation/README.md).
 *
 * @param citations answer-level citations, for generators that return citations apart from the text; may be empty
 */
public record GeneratedAnswer(String id, String question, String answer, List<Passage> passages,
                              List<Integer> citations) {

    public GeneratedAnswer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(answer, "answer of " + id);
        passages = passages == null ? List.of() : List.copyOf(passages);
        citations = citations == null ? List.of() : List.copyOf(citations);
    }

    public record Passage(String id, String text) {
        public Passage {
            Objects.requireNonNull(text, "passage text");
        }
    }
}
