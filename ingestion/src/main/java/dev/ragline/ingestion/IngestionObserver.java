package dev.ragline.ingestion;

import java.time.Duration;

/**
 * Receives what the ingestion consumer does, for metrics (the service binds it to Micrometer). Called from
 * the consumer's thread; implementations must be quick and must not throw.
 */
public interface IngestionObserver {
    IngestionObserver NONE = new IngestionObserver() {
    };

    /** Upsert events applied (a superseded event in the same batch counts too). */
    default void documentsIndexed(int count) {
    }

    /** Tombstones applied. */
    default void documentsDeleted(int count) {
    }

    /** Upserts skipped because the store already holds a newer version. */
    default void documentsSkipped(int count) {
    }

    default void chunksWritten(int count) {
    }

    /** A record sent to the dead-letter topic. */
    default void deadLettered(String reason) {
    }

    /** A polled batch fully processed and committed. */
    default void batchCompleted(int records, Duration latency) {
    }

    /** Encoder, store or dead-letter producer failed; the batch will be retried after a back-off. */
    default void transientFailure(int attempt, Exception error) {
    }

    /** Upserts whose version was already stored completely (a redelivery): nothing embedded or written. */
    default void documentsUnchanged(int count) {
    }

    /** An offset commit failed (the records will be delivered again, to this or another member). */
    default void commitFailed(Exception error) {
    }

    /** A batch given up without committing: partitions revoked or lost, or shutdown. */
    default void batchAbandoned(String reason) {
    }
}
