package dev.ragline.core;

/** Counts a text's length in an encoder's own tokens, so chunking never produces text the encoder truncates. */
@FunctionalInterface
public interface TokenCounter {
    /** Number of tokens the encoder sees for this text, special tokens ([CLS], [SEP]) included. */
    int countTokens(String text);
}
