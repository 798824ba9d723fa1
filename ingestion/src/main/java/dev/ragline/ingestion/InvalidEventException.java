package dev.ragline.ingestion;

/**
 * An event that can never be indexed, whatever is retried: bad JSON, missing text, unknown content type and
 * so on. The consumer sends such events to the dead-letter topic with this message as the reason.
 */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(message);
    }

    public InvalidEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
