package dev.ragline.app.api;

/** A capability that is not configured or not ready: answered with 503 and this message. */
public class ServiceUnavailableException extends RuntimeException {
    public ServiceUnavailableException(String message) {
        super(message);
    }
}
