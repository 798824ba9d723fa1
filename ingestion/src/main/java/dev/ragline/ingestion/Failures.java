package dev.ragline.ingestion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Tells failures that will happen again on every retry (permanent: the event's own fault) from failures of a
 * system that may come back (transient: a server down, a timeout). Unknown failures count as transient; the
 * consumer's bisection finds an event that fails alone and dead-letters it after a bounded number of attempts.
 */
public final class Failures {
    private Failures() {
    }

    /**
     * Permanent: invalid events; {@link IllegalArgumentException} (Lucene refusing a document, Qdrant answering
     * INVALID_ARGUMENT, an encoder refusing its input); {@link Error}s other than the JVM running out of resources.
     */
    public static boolean isPermanent(Throwable t) {
        if (isTransient(t)) return false;
        if (t instanceof InvalidEventException || t instanceof IllegalArgumentException
                || t instanceof UnsupportedOperationException || t instanceof ArithmeticException
                || t instanceof IndexOutOfBoundsException || t instanceof ClassCastException) return true;
        if (t instanceof StackOverflowError) return true;
        return t instanceof Error && !(t instanceof VirtualMachineError);
    }

    /** Transient: I/O failures, timeouts, Kafka's retriable errors, anywhere in the cause chain. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UncheckedIOException || c instanceof IOException || c instanceof TimeoutException
                    || c instanceof RetriableException) return true;
            if (c instanceof IllegalArgumentException) return false;
        }
        return false;
    }

    /** A one-line reason: the message, or the class name when there is none. */
    public static String reason(Throwable t) {
        String message = t.getMessage();
        String reason = message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
        return reason.length() > 1000 ? reason.substring(0, 1000) + "…" : reason;
    }
}
