package dev.ragline.generation.reader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How a reader model reads and when it abstains, as written into its provenance file by
 * {@code generation/training/reader/export_reader.py}.
 *
 * @param modelId           name for responses and logs
 * @param maxLength         tokens per window, specials included
 * @param stride            tokens between the starts of consecutive windows over one passage
 * @param maxQuestionTokens question tokens kept
 * @param maxAnswerTokens   longest answer span, in tokens
 * @param margin            the "answer rather than abstain" score
 * @param threshold         answer when the margin is above this (chosen on validation articles)
 * @param pick              which passage the answer comes from when several are read
 * @param rankPenalty       subtracted from the margin per place a passage is below the first (retrieval order
 *                          as a prior: a span in the 3rd passage must beat the threshold by 2 × this); 0 = none
 */
public record ReaderSettings(String modelId, int maxLength, int stride, int maxQuestionTokens, int maxAnswerTokens,
                             Margin margin, double threshold, Pick pick, double rankPenalty) {

    /** How the answering passage is chosen among several. */
    public enum Pick {
        /** the passage whose own margin (after the rank penalty) is highest */
        MARGIN,
        /** the passage with the highest span score; its margin (after the rank penalty) decides answer or abstain */
        SPAN
    }

    /** Settings as the training export writes them: passage chosen by margin, no rank penalty. */
    public ReaderSettings(String modelId, int maxLength, int stride, int maxQuestionTokens, int maxAnswerTokens,
                          Margin margin, double threshold) {
        this(modelId, maxLength, stride, maxQuestionTokens, maxAnswerTokens, margin, threshold, Pick.MARGIN, 0);
    }

    /** Ways to score "there is an answer": higher means answer. */
    public enum Margin {
        /** best span score minus the lowest [CLS] (no-answer) span score over the windows */
        SPAN_MINUS_NULL,
        /** the highest answerability logit over the windows */
        ANSWERABLE_LOGIT,
        /** both added */
        SUM;

        public double of(double span, double nullScore, double answerableLogit) {
            return switch (this) {
                case SPAN_MINUS_NULL -> span - nullScore;
                case ANSWERABLE_LOGIT -> answerableLogit;
                case SUM -> span - nullScore + answerableLogit;
            };
        }
    }

    public ReaderSettings {
        if (maxQuestionTokens < 1 || maxLength < maxQuestionTokens + 8)
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room after a question of "
                    + maxQuestionTokens + " tokens");
        if (stride < 1 || maxAnswerTokens < 1) throw new IllegalArgumentException("stride and maxAnswerTokens must be >= 1");
        if (pick == null) pick = Pick.MARGIN;
        if (!(rankPenalty >= 0)) throw new IllegalArgumentException("rankPenalty must be >= 0, got " + rankPenalty);
    }

    /** The same reader with another abstention threshold (higher abstains more). */
    public ReaderSettings withThreshold(double newThreshold) {
        return new ReaderSettings(modelId, maxLength, stride, maxQuestionTokens, maxAnswerTokens, margin, newThreshold, pick,
                rankPenalty);
    }

    /** The same reader choosing the answering passage another way. */
    public ReaderSettings withPassageChoice(Pick newPick, double newRankPenalty) {
        return new ReaderSettings(modelId, maxLength, stride, maxQuestionTokens, maxAnswerTokens, margin, threshold, newPick,
                newRankPenalty);
    }

    /** Reads the settings from a reader's provenance JSON. */
    public static ReaderSettings read(Path provenance) {
        try {
            JsonNode p = new ObjectMapper().readTree(provenance.toFile());
            JsonNode noAnswer = p.path("noAnswer");
            String artifact = p.path("artifact").asText("reader");
            return new ReaderSettings(artifact.replaceFirst("\\.onnx$", ""), p.path("maxLength").asInt(256),
                    p.path("stride").asInt(128), p.path("maxQuestionTokens").asInt(64), p.path("maxAnswerTokens").asInt(30),
                    Margin.valueOf(noAnswer.path("margin").asText("span_minus_null").toUpperCase(Locale.ROOT)),
                    noAnswer.path("threshold").asDouble(0),
                    Pick.valueOf(noAnswer.path("pick").asText("margin").toUpperCase(Locale.ROOT)),
                    noAnswer.path("rankPenalty").asDouble(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reader provenance " + provenance, e);
        }
    }
}
