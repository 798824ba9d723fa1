package dev.ragline.app.api;

/**
 * The decoder is saturated: 429 when the waiting line is full (the request was not queued), 503 when it waited its
 * turn for {@code ragline.ask.max-wait} in vain. Both carry {@code Retry-After}.
 */
public class TooBusyException extends RuntimeException {
    private final int status;
    private final long retryAfterSeconds;

    public TooBusyException(int status, String message, long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
