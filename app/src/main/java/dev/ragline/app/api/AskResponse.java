package dev.ragline.app.api;

import java.util.List;

/**
 * A routed answer. {@code route.type}: DIRECT (answered from the predicted intent's template or best passage),
 * GENERATE (the decoder answered from retrieved passages), ABSTAIN (out of scope, nothing retrieved supports an
 * answer). {@code abstained}: the answer is the abstain phrase.
 */
public record AskResponse(String question, ClassifyResponse.RouteInfo route, String answer, boolean abstained,
                          List<CitedPassage> citations, int droppedCitations, String model, Latency latencyMs) {

    /**
     * A passage the answer rests on. {@code answerStart}/{@code answerEnd}: where the answer text occurs in the chunk
     * text (-1 when it is not a verbatim span); {@code documentStart}/{@code documentEnd}: the same in the document.
     */
    public record CitedPassage(int passage, String documentId, String chunkId, String title, String heading, String text,
                               double score, int answerStart, int answerEnd, int documentStart, int documentEnd) {
    }

    /** Milliseconds per stage; generate is 0 when the decoder was not called. */
    public record Latency(double classify, double retrieve, double generate, double total) {
    }
}
