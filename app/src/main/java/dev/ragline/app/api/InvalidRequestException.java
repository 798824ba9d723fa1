package dev.ragline.app.api;

/** A request the caller can fix: answered with 400 and this message. */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
