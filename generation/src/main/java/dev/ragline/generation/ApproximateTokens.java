package dev.ragline.generation;

/** Token estimate for remote models whose tokenizer we do not have: about four characters per token. */
final class ApproximateTokens {
    private ApproximateTokens() {
    }

    static int count(String text) {
        return (text.length() + 3) / 4;
    }
}
