package dev.ragline.classifier;

/** A classifier artifact that is missing, malformed, of another format version or made for another encoder. */
public class IncompatibleArtifactException extends RuntimeException {
    public IncompatibleArtifactException(String message) {
        super(message);
    }

    public IncompatibleArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
