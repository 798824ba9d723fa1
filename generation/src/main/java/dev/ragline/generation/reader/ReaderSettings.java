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
 */
public record ReaderSettings(String modelId, int maxLength, int stride, int maxQuestionTokens, int maxAnswerTokens,
                             Margin margin, double threshold) {

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
    }

    /** The same reader with another abstention threshold (higher abstains more). */
    public ReaderSettings withThreshold(double newThreshold) {
        return new ReaderSettings(modelId, maxLength, stride, maxQuestionTokens, maxAnswerTokens, margin, newThreshold);
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
                    noAnswer.path("threshold").asDouble(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read reader provenance " + provenance, e);
        }
    }
}
