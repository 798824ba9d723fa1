package dev.ragline.generation;

import java.util.List;

/**
 * The result of {@link GroundedAnswerer}.
 *
 * @param answer            answer text without citation markers, or {@link GroundedPrompt#ABSTAIN}
 * @param abstained         the model said the passages do not contain the answer (or no passage was given)
 * @param citations         valid citations, in the order first cited
 * @param droppedCitations  citation markers that pointed to no passage given to the model
 * @param rawOutput         the model's text as generated
 * @param passagesShown     passages that fit the context window
 * @param passagesOmitted   passages left out for the token budget
 * @param promptTokens      prompt length in the model's tokens
 * @param completionTokens  generated tokens
 * @param generateMillis    wall time of generation
 * @param truncated         generation stopped at the token cap
 */
public record GroundedAnswer(String answer, boolean abstained, List<Citation> citations, int droppedCitations,
                             String rawOutput, int passagesShown, int passagesOmitted, int promptTokens,
                             int completionTokens, long generateMillis, boolean truncated) {
    public GroundedAnswer {
        citations = List.copyOf(citations);
    }
}
