package dev.ragline.generation;

/** Streaming callbacks of {@link GroundedAnswerer#answer(String, java.util.List, AnswerListener)}: tokens in order, then the result. */
public interface AnswerListener {
    /** A piece of generated text, raw (citation markers included). */
    void onToken(String token);

    /** The parsed answer with its citations; called once, after the last token. */
    void onComplete(GroundedAnswer answer);
}
