package dev.ragline.ingestion;

/** An event over a size limit (the HTTP publisher answers 413 for it, the consumer dead-letters it). */
public class EventTooLargeException extends InvalidEventException {
    public EventTooLargeException(String message) {
        super(message);
    }
}
