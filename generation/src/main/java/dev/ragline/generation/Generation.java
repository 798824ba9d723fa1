package dev.ragline.generation;

/**
 * What a generator produced: the text, token counts (from the server's usage report where it gives one,
 * otherwise counted with {@link Generator#countTokens}) and wall time.
 *
 * @param truncated true when generation stopped at the token cap rather than at the end of the answer
 */
public record Generation(String text, int promptTokens, int completionTokens, long millis, boolean truncated) {
}
