package dev.ragline.app.api;

import java.util.List;

/** The body of every 4xx/5xx answer: a message a caller can act on, plus per-field details when known. */
public record ApiError(int status, String error, String message, List<String> details) {
    public static ApiError of(int status, String error, String message) {
        return new ApiError(status, error, message, List.of());
    }
}
