package dev.ragline.app.api;

/** A request the caller can fix: answered with 400 and this message. */
public class InvalidRequestException extends RuntimeException {
    private final java.util.List<String> details;

    public InvalidRequestException(String message) {
        super(message);
        this.details = java.util.List.of();
    }

    /** A bad value of one request field: message and details name the field, as for bean-validation errors. */
    public static InvalidRequestException field(String field, String problem) {
        return new InvalidRequestException("request is invalid: " + field + ": " + problem,
                java.util.List.of(field + ": " + problem));
    }

    private InvalidRequestException(String message, java.util.List<String> details) {
        super(message);
        this.details = details;
    }

    public java.util.List<String> details() {
        return details;
    }
}
