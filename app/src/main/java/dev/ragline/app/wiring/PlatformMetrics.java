package dev.ragline.app.wiring;

import dev.ragline.core.ChunkStore;
import dev.ragline.ingestion.IngestionObserver;
import dev.ragline.ingestion.KafkaIngestionConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Binds the pipeline's plain-Java observers to Micrometer (exported at /q/metrics in Prometheus format). */
final class PlatformMetrics implements IngestionObserver {
    private final MeterRegistry registry;
    private final Counter indexed, deleted, skipped, chunks, deadLettered, transientFailures;
    private final Counter unchanged, commitFailures, abandoned;
    private final Timer batchLatency, encoderLatency;
    private final DistributionSummary encoderBatchSize, encoderBatchTokens;

    PlatformMetrics(MeterRegistry registry) {
        this.registry = registry;
        indexed = documents("indexed");
        deleted = documents("deleted");
        skipped = documents("skipped_stale");
        chunks = Counter.builder("ragline.ingest.chunks").description("Chunks written to the store").register(registry);
        deadLettered = Counter.builder("ragline.ingest.dead_lettered")
                .description("Events sent to the dead-letter topic").register(registry);
        transientFailures = Counter.builder("ragline.ingest.transient_failures")
                .description("Batches retried after an encoder or store failure").register(registry);
        unchanged = documents("unchanged");
        commitFailures = Counter.builder("ragline.ingest.commit_failures")
                .description("Offset commits that failed (the records are delivered again)").register(registry);
        abandoned = Counter.builder("ragline.ingest.batches_abandoned")
                .description("Batches given up without commit (partitions revoked or lost, shutdown)").register(registry);
        batchLatency = Timer.builder("ragline.ingest.batch.latency")
                .description("Poll-to-commit time of a record batch").register(registry);
        encoderLatency = Timer.builder("ragline.encoder.batch.latency")
                .description("Encoder inference time per batch").publishPercentileHistogram().register(registry);
        encoderBatchSize = DistributionSummary.builder("ragline.encoder.batch.size")
                .description("Texts per encoder batch").register(registry);
        encoderBatchTokens = DistributionSummary.builder("ragline.encoder.batch.tokens")
                .description("Tokens per encoder batch").register(registry);
    }

    private Counter documents(String outcome) {
        return Counter.builder("ragline.ingest.documents").tag("outcome", outcome)
                .description("Document events applied, by outcome").register(registry);
    }

    void encoderBatch(int size, int tokens, long nanos) {
        encoderBatchSize.record(size);
        encoderBatchTokens.record(tokens);
        encoderLatency.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void bindStore(ChunkStore store) {
        Gauge.builder("ragline.store.chunks", store, s -> (double) s.count())
                .description("Chunks in the store").register(registry);
    }

    void bindConsumer(KafkaIngestionConsumer consumer) {
        Gauge.builder("ragline.ingest.consumer.lag", consumer, c -> (double) c.lag())
                .description("Records not yet consumed on the assigned partitions (-1 while unknown)").register(registry);
        Gauge.builder("ragline.ingest.stalled.seconds", consumer, c -> c.status().stalledFor().toMillis() / 1000.0)
                .description("How long ingestion has been failing and retrying (0 when not)").register(registry);
        Gauge.builder("ragline.ingest.consumer.up", consumer, c -> c.isRunning() ? 1 : 0)
                .description("1 while the consumer thread runs").register(registry);
        Gauge.builder("ragline.ingest.partitions", consumer, c -> c.status().partitions())
                .description("Partitions assigned to this instance").register(registry);
    }

    /** In-flight and waiting gauges ({@code PREFIX.in_flight}, {@code PREFIX.waiting}) and refusals by reason. */
    void bindBulkhead(Bulkhead bulkhead, String prefix, String rejected, String inFlight, String waiting, String refused) {
        int bound = bulkhead.maxConcurrent(), line = bulkhead.maxWaiting();
        Gauge.builder(prefix + ".in_flight", bulkhead, Bulkhead::inFlight)
                .description(inFlight + " now (at most " + bound + ")").register(registry);
        Gauge.builder(prefix + ".waiting", bulkhead, Bulkhead::waiting)
                .description(waiting + " (at most " + line + ")").register(registry);
        FunctionCounter.builder(rejected, bulkhead, Bulkhead::rejectedQueueFull).tag("reason", "queue_full")
                .description(refused + ": 429 queue full, 503 waited too long").register(registry);
        FunctionCounter.builder(rejected, bulkhead, Bulkhead::rejectedWaitTimeout).tag("reason", "wait_timeout")
                .description(refused + ": 429 queue full, 503 waited too long").register(registry);
    }

    @Override public void documentsIndexed(int count) { indexed.increment(count); }
    @Override public void documentsDeleted(int count) { deleted.increment(count); }
    @Override public void documentsSkipped(int count) { skipped.increment(count); }
    @Override public void chunksWritten(int count) { chunks.increment(count); }
    @Override public void deadLettered(String reason) { deadLettered.increment(); }
    @Override public void batchCompleted(int records, Duration latency) { batchLatency.record(latency); }
    @Override public void transientFailure(int attempt, Exception error) { transientFailures.increment(); }
    @Override public void documentsUnchanged(int count) { unchanged.increment(count); }
    @Override public void commitFailed(Exception error) { commitFailures.increment(); }
    @Override public void batchAbandoned(String reason) { abandoned.increment(); }
}
