package dev.ragline.ingestion;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** An observer that keeps running totals, readable from any thread (status pages, tests, benchmarks). */
public final class IngestionStats implements IngestionObserver {
    private final AtomicLong indexed = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong transientFailures = new AtomicLong();
    private final AtomicLong batchNanos = new AtomicLong();
    private final AtomicLong unchanged = new AtomicLong();
    private final AtomicLong commitFailures = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final java.util.Queue<String> reasons = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Override public void documentsIndexed(int count) { indexed.addAndGet(count); }
    @Override public void documentsDeleted(int count) { deleted.addAndGet(count); }
    @Override public void documentsSkipped(int count) { skipped.addAndGet(count); }
    @Override public void chunksWritten(int count) { chunks.addAndGet(count); }
    @Override public void deadLettered(String reason) { deadLettered.incrementAndGet(); reasons.add(reason); }
    @Override public void documentsUnchanged(int count) { unchanged.addAndGet(count); }
    @Override public void commitFailed(Exception error) { commitFailures.incrementAndGet(); }
    @Override public void batchAbandoned(String reason) { abandoned.incrementAndGet(); }
    @Override public void transientFailure(int attempt, Exception error) { transientFailures.incrementAndGet(); }

    @Override
    public void batchCompleted(int count, Duration latency) {
        batches.incrementAndGet();
        records.addAndGet(count);
        batchNanos.addAndGet(latency.toNanos());
    }

    public long documentsIndexed() { return indexed.get(); }
    public long documentsDeleted() { return deleted.get(); }
    public long documentsSkipped() { return skipped.get(); }
    public long chunksWritten() { return chunks.get(); }
    public long deadLettered() { return deadLettered.get(); }
    public long batches() { return batches.get(); }
    /** Records in completed batches: every record processed and committed, dead letters included. */
    public long recordsCommitted() { return records.get(); }
    public long transientFailures() { return transientFailures.get(); }
    public long documentsUnchanged() { return unchanged.get(); }
    public long commitFailures() { return commitFailures.get(); }
    public long batchesAbandoned() { return abandoned.get(); }
    /** Reasons of the dead-lettered events, in order. */
    public java.util.List<String> deadLetterReasons() { return java.util.List.copyOf(reasons); }
    public Duration totalBatchTime() { return Duration.ofNanos(batchNanos.get()); }

    @Override
    public String toString() {
        return "indexed=" + documentsIndexed() + " deleted=" + documentsDeleted() + " skipped=" + documentsSkipped()
                + " chunks=" + chunksWritten() + " deadLettered=" + deadLettered() + " records=" + recordsCommitted()
                + " batches=" + batches() + " transientFailures=" + transientFailures() + " unchanged=" + documentsUnchanged()
                + " commitFailures=" + commitFailures() + " abandoned=" + batchesAbandoned();
    }
}
