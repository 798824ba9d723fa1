package dev.ragline.ingestion;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
import dev.ragline.core.Tenant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes document events from Kafka and keeps the chunk store in step.
 *
 * <p>Threads: the consumer thread polls, commits and handles rebalances; a worker thread decodes, parses, embeds
 * and writes one polled batch at a time. While the worker runs, the consumer pauses its partitions and keeps
 * polling, so the member stays in its group however long embedding takes.
 *
 * <p>Delivery: at least once into the store, whose writes are versioned and idempotent, so effectively once. A
 * polled batch is cut into sub-batches of at most {@link IngestionConfig#maxBatchTokens()} encoder tokens; each is
 * written with one {@link dev.ragline.core.ChunkStore#write} and its offsets committed after that.
 *
 * <p>Failures: an event that cannot be decoded, checked, parsed or split (any {@link Throwable}, a
 * {@link StackOverflowError} included) goes to the dead-letter topic with the reason in {@code ragline.dlq.*}
 * headers, truncated if needed so the copy fits {@code max.request.size}. A write that fails with a permanent error
 * ({@link Failures#isPermanent}) is bisected at once to find the events that fail alone; those go to the dead-letter
 * topic. Transient failures (store or encoder down, timeouts) are retried with back-off without committing, and
 * the consumer reports {@link State#RETRYING} with the reason; a back-off ends early when the store answers again.
 * A batch that keeps failing while the store answers is bisected too, and an event that fails alone
 * {@link IngestionConfig#maxEventAttempts()} times is dead-lettered.
 *
 * <p>Fencing: the worker checks before every write that the consumer still owns the batch's partitions; when
 * partitions are revoked or lost, the batch is abandoned (the worker stops between encoder calls; a write in
 * progress completes first) and its remaining records are not committed. Store writes are fenced by version too.
 * Shutdown: stop polling, abandon the batch without committing, close; only then may the store and encoder close.
 */
public final class KafkaIngestionConsumer implements AutoCloseable {
    public static final String REASON_HEADER = "ragline.dlq.reason";
    public static final String EXCEPTION_HEADER = "ragline.dlq.exception";
    public static final String TOPIC_HEADER = "ragline.dlq.topic";
    public static final String PARTITION_HEADER = "ragline.dlq.partition";
    public static final String OFFSET_HEADER = "ragline.dlq.offset";
    /** Present when the dead-letter copy's value was cut to fit: the original value's size in bytes. */
    public static final String TRUNCATED_HEADER = "ragline.dlq.truncated-from-bytes";
    /** Present when the dead-letter copy's key was cut to fit: the original key's size in bytes. */
    public static final String KEY_TRUNCATED_HEADER = "ragline.dlq.key-truncated-from-bytes";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngestionConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration BUSY_POLL_TIMEOUT = Duration.ofMillis(50);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ABANDON_WAIT = Duration.ofSeconds(60);
    /** Room left in a dead-letter request for the batch and request framing. */
    private static final int REQUEST_OVERHEAD = 1024;
    private static final String PROBE_ID = "ragline.probe";

    /** What the consumer is doing, for health checks. */
    public enum State { STARTING, RUNNING, RETRYING, STOPPED, FAILED }

    /**
     * @param reason     why it is retrying or failed; null when running
     * @param since      when the state began
     * @param lastCommit when offsets were last committed (null before the first)
     * @param partitions partitions assigned to this member
     */
    public record Status(State state, String reason, Instant since, long lag, Instant lastCommit, int partitions) {
        /** How long ingestion has been failing and retrying (zero unless {@link State#RETRYING}). */
        public Duration stalledFor() {
            return state == State.RETRYING ? Duration.between(since, Instant.now()) : Duration.ZERO;
        }
    }

    private final IngestionConfig config;
    private final DocumentIndexer indexer;
    private final IngestionObserver observer;
    private final Object wakeSignal = new Object();
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private ExecutorService worker;
    private Thread thread;
    private volatile boolean stopping;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile long lag = -1;
    private volatile Set<TopicPartition> owned = Set.of();
    private volatile State state = State.STARTING;
    private volatile String reason;
    private volatile Instant since = Instant.now();
    private volatile Instant lastCommit;
    /** The batch the worker has (consumer thread only). */
    private Job inFlight;
    /** No new batch before this time (after an unexpected worker failure). */
    private long pausedUntilNanos;
    private int workerFailures;

    public KafkaIngestionConsumer(IngestionConfig config, DocumentIndexer indexer, IngestionObserver observer) {
        this.config = Objects.requireNonNull(config, "config");
        this.indexer = Objects.requireNonNull(indexer, "indexer");
        this.observer = observer == null ? IngestionObserver.NONE : observer;
    }

    /** Subscribes and starts consuming on a new thread. A consumer starts once. */
    public synchronized void start() {
        if (thread != null) throw new IllegalStateException("already started");
        consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ragline-ingestion-worker-" + config.topic());
            t.setDaemon(true);
            return t;
        });
        running = true;
        thread = new Thread(this::run, "ragline-ingestion-" + config.topic());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops: no more polls, the batch in hand is abandoned without committing (the worker stops at its next
     * encoder call; a store write in progress completes), the Kafka clients close. When this returns, nothing of
     * this consumer uses the store or the encoder any more. Idempotent.
     */
    @Override
    public void close() {
        Thread consumerThread;
        synchronized (this) {
            consumerThread = thread;
            if (consumerThread == null || stopping) return;
            stopping = true;
        }
        synchronized (wakeSignal) {
            wakeSignal.notifyAll();
        }
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            LOG.debug("wakeup after the consumer closed", e);
        }
        try {
            consumerThread.join(ABANDON_WAIT.toMillis() + CLOSE_TIMEOUT.toMillis() * 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    /** True from start until the thread ends (after stop, or after a fatal error: see {@link #failure()}). */
    public boolean isRunning() {
        return running;
    }

    /** The error that ended the consumer thread, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Records on the assigned partitions not yet consumed, as of the last poll; -1 while unknown. */
    public long lag() {
        return lag;
    }

    public Status status() {
        return new Status(state, reason, since, lag, lastCommit, owned.size());
    }

    public IngestionConfig config() {
        return config;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        if (config.groupInstanceId() != null) p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.groupInstanceId());
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A new group indexes what was published before it started.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ragline-ingestion-" + config.groupId()
                + (config.groupInstanceId() == null ? "" : "-" + config.groupInstanceId()));
        p.putAll(config.clientOverrides());
        p.keySet().retainAll(ConsumerConfig.configNames());
        return p;
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRequestBytes());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ragline-ingestion-dlq-" + config.groupId()
                + (config.groupInstanceId() == null ? "" : "-" + config.groupInstanceId()));
        p.putAll(config.clientOverrides());
        // Consumer settings among the overrides are no producer settings: drop them to keep the log quiet.
        p.keySet().retainAll(ProducerConfig.configNames());
        return p;
    }

    // ---- consumer thread --------------------------------------------------------------------------------------

    private void run() {
        try {
            consumer.subscribe(List.of(config.topic()), new RebalanceListener());
            setState(State.RUNNING, null);
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(inFlight == null ? POLL_TIMEOUT : BUSY_POLL_TIMEOUT);
                updateLag();
                if (inFlight != null) {
                    // Partitions are paused while a batch is in hand; anything polled anyway is read again later.
                    if (!records.isEmpty()) rewind(records);
                    boolean done = inFlight.future.isDone();
                    commitProgress(inFlight, false);
                    if (done) finish(inFlight);
                    continue;
                }
                if (records.isEmpty()) continue;
                if (System.nanoTime() < pausedUntilNanos) {
                    rewind(records);
                    continue;
                }
                startJob(records);
            }
        } catch (WakeupException e) {
            if (!stopping) failure = e;
        } catch (InterruptException e) {
            if (!stopping) failure = e;
        } catch (Throwable t) {
            failure = t;
            LOG.error("Ingestion consumer stopped by an unexpected error; uncommitted records will be redelivered", t);
        } finally {
            if (inFlight != null) abandon(inFlight, stopping ? "shutdown" : "consumer stopped");
            closeQuietly();
            if (failure != null) setState(State.FAILED, "consumer stopped: " + Failures.reason(failure));
            else setState(State.STOPPED, null);
            running = false;
        }
    }

    private void startJob(ConsumerRecords<byte[], byte[]> records) {
        Job job = new Job(records);
        consumer.pause(consumer.assignment());
        inFlight = job;
        job.future = worker.submit(() -> process(job));
    }

    private void finish(Job job) {
        inFlight = null;
        try {
            job.future.get();
            workerFailures = 0;
            observer.batchCompleted(job.records.size(), Duration.ofNanos(System.nanoTime() - job.started));
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof Abandoned)) {
                // A bug or an error nothing classified: redo the uncommitted rest of the batch after a back-off.
                workerFailures++;
                Duration backoff = config.backoff(workerFailures);
                LOG.error("Ingestion batch failed unexpectedly (attempt {}), retrying in {} ms", workerFailures,
                        backoff.toMillis(), e.getCause());
                setState(State.RETRYING, "batch failed: " + Failures.reason(e.getCause()));
                observer.transientFailure(workerFailures, asException(e.getCause()));
                seekToUncommitted(job);
                pausedUntilNanos = System.nanoTime() + backoff.toNanos();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.resume(consumer.paused());
    }

    /** Commits what the worker finished, for partitions this member still owns (and, when revoking, those too). */
    private void commitProgress(Job job, boolean revoking) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map<TopicPartition, OffsetAndMetadata> step; (step = job.progress.poll()) != null; ) offsets.putAll(step);
        if (!revoking) offsets.keySet().retainAll(owned);
        if (offsets.isEmpty()) return;
        try {
            consumer.commitSync(offsets);
            offsets.forEach((tp, o) -> job.committed.put(tp, o.offset()));
            lastCommit = Instant.now();
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // Not swallowed: counted, logged, shown in health; the records are delivered again (idempotent writes).
            LOG.warn("Committing offsets {} failed; those records will be processed again: {}", offsets, e.toString());
            observer.commitFailed(e);
            setState(State.RETRYING, "offset commit failed: " + Failures.reason(e));
        }
    }

    /** Gives the batch up: the worker stops (waited for), nothing more is committed. */
    private void abandon(Job job, String why) {
        job.abandoned = true;
        synchronized (wakeSignal) {
            wakeSignal.notifyAll();
        }
        try {
            job.future.get(ABANDON_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof Abandoned)) LOG.warn("Abandoned batch ended with an error", e.getCause());
        } catch (TimeoutException e) {
            LOG.error("The ingestion worker did not stop within {} s after its batch was abandoned", ABANDON_WAIT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Abandoned a batch of {} records ({}); uncommitted records will be delivered again", job.records.size(), why);
        observer.batchAbandoned(why);
        if (inFlight == job) inFlight = null;
    }

    /** Seeks the job's still-owned partitions back to their first uncommitted record. */
    private void seekToUncommitted(Job job) {
        Set<TopicPartition> assigned = consumer.assignment();
        job.firstOffsets.forEach((tp, first) -> {
            if (assigned.contains(tp)) consumer.seek(tp, job.committed.getOrDefault(tp, first));
        });
    }

    /** Seeks the records' partitions back to their first records, so a later poll returns them again. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            if (consumer.assignment().contains(partition)) {
                consumer.seek(partition, records.records(partition).getFirst().offset());
            }
        }
    }

    private void updateLag() {
        long total = 0;
        boolean known = false;
        Job job = inFlight;
        for (TopicPartition partition : consumer.assignment()) {
            var partitionLag = consumer.currentLag(partition);
            if (partitionLag.isPresent()) {
                total += partitionLag.getAsLong();
                known = true;
                // currentLag counts from the position, which is past the batch in hand: its records still wait until
                // committed (a batch retrying through a store outage would otherwise show lag 0).
                Long first = job == null ? null : job.firstOffsets.get(partition);
                if (first != null) total += Math.max(0, consumer.position(partition) - job.committed.getOrDefault(partition, first));
            }
        }
        lag = known ? total : -1;
    }

    private void closeQuietly() {
        try {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.warn("Kafka consumer did not close cleanly", e);
        }
        try {
            deadLetters.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Dead-letter producer did not close cleanly", e);
        }
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                LOG.error("The ingestion worker is still running after shutdown");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void setState(State newState, String newReason) {
        if (newState != state || !Objects.equals(newReason, reason)) {
            if (newState != state) since = Instant.now();
            state = newState;
            reason = newReason;
        }
    }

    private final class RebalanceListener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) return;
            LOG.info("Partitions revoked: {}", partitions);
            Set<TopicPartition> left = new HashSet<>(owned);
            left.removeAll(partitions);
            owned = Set.copyOf(left); // the worker's next fence check fails from here on
            Job job = inFlight;
            if (job != null && job.partitions.stream().anyMatch(partitions::contains)) {
                abandon(job, "partitions revoked");
                // Sub-batches finished before the revocation are written: commit them while we still may.
                commitProgress(job, true);
                seekToUncommitted(job);
                consumer.resume(consumer.paused());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) return;
            LOG.warn("Partitions lost (this member was dropped from the group): {}", partitions);
            Set<TopicPartition> left = new HashSet<>(owned);
            left.removeAll(partitions);
            owned = Set.copyOf(left);
            Job job = inFlight;
            if (job != null && job.partitions.stream().anyMatch(partitions::contains)) {
                abandon(job, "partitions lost");
                consumer.resume(consumer.paused());
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<TopicPartition> now = new HashSet<>(owned);
            now.addAll(partitions);
            owned = Set.copyOf(now);
            if (!partitions.isEmpty()) LOG.info("Partitions assigned: {}", partitions);
            if (inFlight != null) consumer.pause(partitions);
        }
    }

    // ---- worker thread ----------------------------------------------------------------------------------------

    /** Thrown on the worker when its batch was abandoned. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("batch abandoned", null, false, false);
        }
    }

    private static final class Job {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final Set<TopicPartition> partitions;
        final Map<TopicPartition, Long> firstOffsets = new LinkedHashMap<>();
        /** Committed so far (consumer thread). */
        final Map<TopicPartition, Long> committed = new HashMap<>();
        /** Offsets the worker has finished, in order (worker → consumer thread). */
        final ConcurrentLinkedQueue<Map<TopicPartition, OffsetAndMetadata>> progress = new ConcurrentLinkedQueue<>();
        final long started = System.nanoTime();
        volatile boolean abandoned;
        Future<?> future;

        Job(ConsumerRecords<byte[], byte[]> polled) {
            for (TopicPartition tp : polled.partitions()) {
                List<ConsumerRecord<byte[], byte[]>> part = polled.records(tp);
                firstOffsets.put(tp, part.getFirst().offset());
                records.addAll(part);
            }
            partitions = Set.copyOf(firstOffsets.keySet());
        }
    }

    /** One record of a batch on the worker: prepared, or refused with a reason. */
    private static final class Entry {
        final ConsumerRecord<byte[], byte[]> record;
        DocumentIndexer.PreparedEvent prepared;
        Throwable refusal;
        int strikes;

        Entry(ConsumerRecord<byte[], byte[]> record) {
            this.record = record;
        }

        int tokens() {
            return prepared == null ? 0 : prepared.tokens();
        }
    }

    private record Failed(Entry entry, Throwable error) {
    }

    private void process(Job job) {
        List<Entry> entries = new ArrayList<>(job.records.size());
        for (ConsumerRecord<byte[], byte[]> record : job.records) {
            Entry entry = new Entry(record);
            try {
                Tenant tenant = DocumentEvent.tenantOf(header(record, DocumentEvent.TENANT_HEADER), config.defaultTenant());
                entry.prepared = indexer.prepare(decodeKey(record.key()), record.value(),
                        header(record, DocumentEvent.VERSION_HEADER), tenant);
            } catch (Throwable t) {
                // Parsing touches no external system: whatever fails here fails again on every retry.
                entry.refusal = t;
            }
            entries.add(entry);
        }
        List<Entry> sub = new ArrayList<>();
        int tokens = 0;
        for (Entry entry : entries) {
            if (!sub.isEmpty() && tokens + entry.tokens() > config.maxBatchTokens()) {
                processSubBatch(job, sub);
                sub = new ArrayList<>();
                tokens = 0;
            }
            sub.add(entry);
            tokens += entry.tokens();
        }
        if (!sub.isEmpty()) processSubBatch(job, sub);
    }

    private void processSubBatch(Job job, List<Entry> sub) {
        fence(job);
        applyWithRetries(job, sub.stream().filter(e -> e.prepared != null).toList());
        for (Entry e : sub) if (e.refusal != null) deadLetter(job, e, e.refusal);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Entry e : sub) offsets.put(new TopicPartition(e.record.topic(), e.record.partition()), new OffsetAndMetadata(e.record.offset() + 1));
        job.progress.add(offsets);
        if (state == State.RETRYING) setState(State.RUNNING, null);
    }

    private void applyWithRetries(Job job, List<Entry> events) {
        Map<String, float[]> cache = new HashMap<>();
        List<Entry> pending = events;
        int attempt = 0;
        while (!pending.isEmpty()) {
            fence(job);
            try {
                // Positions only when the whole sub-batch goes in one write: after a bisection an event of it may
                // still be pending while later ones are written, and a position must never pass an unwritten event.
                applyOnce(job, pending, cache, pending == events);
                return;
            } catch (Abandoned a) {
                throw a;
            } catch (Throwable t) {
                attempt++;
                boolean permanent = Failures.isPermanent(t);
                if (!permanent && (attempt < config.bisectAfterAttempts() || !storeAnswers())) {
                    retryLater(job, attempt, "writing " + pending.size() + " events failed: " + Failures.reason(t), t);
                    continue;
                }
                List<Failed> failed = new ArrayList<>();
                isolate(job, pending, cache, failed);
                if (failed.isEmpty()) return;
                boolean storeUp = failed.size() < pending.size() || storeAnswers();
                List<Entry> still = new ArrayList<>();
                for (Failed f : failed) {
                    if (Failures.isPermanent(f.error())) {
                        deadLetter(job, f.entry(), f.error());
                    } else if (storeUp && ++f.entry().strikes >= config.maxEventAttempts()) {
                        deadLetter(job, f.entry(), new InvalidEventException("failed alone " + f.entry().strikes
                                + " times while the store answered: " + Failures.reason(f.error()), f.error()));
                    } else {
                        still.add(f.entry());
                    }
                }
                pending = still;
                if (!pending.isEmpty()) {
                    retryLater(job, attempt, pending.size() + " events failed again: " + Failures.reason(failed.getFirst().error()),
                            failed.getFirst().error());
                }
            }
        }
    }

    /** Writes what can be written; collects the single events that fail on their own. */
    private void isolate(Job job, List<Entry> events, Map<String, float[]> cache, List<Failed> failed) {
        fence(job);
        try {
            applyOnce(job, events, cache, false);
        } catch (Abandoned a) {
            throw a;
        } catch (Throwable t) {
            if (events.size() == 1) {
                failed.add(new Failed(events.getFirst(), t));
                return;
            }
            int mid = events.size() / 2;
            isolate(job, events.subList(0, mid), cache, failed);
            isolate(job, events.subList(mid, events.size()), cache, failed);
        }
    }

    private void applyOnce(Job job, List<Entry> events, Map<String, float[]> cache, boolean recordPositions) {
        if (events.isEmpty()) return;
        List<Entry> fresh = withoutWrittenUnversionedTombstones(events);
        var plan = indexer.plan(fresh.stream().map(e -> e.prepared).toList());
        var writes = indexer.embed(plan, () -> job.abandoned || stopping, cache);
        if (writes == null) throw new Abandoned();
        fence(job);
        Map<String, Long> positions = new HashMap<>();
        if (recordPositions) for (Entry e : events) positions.merge(source(e.record), e.record.offset(), Math::max);
        indexer.write(writes, positions);
        var result = plan.result(plan.chunksToEmbed());
        observer.documentsIndexed(result.indexed());
        observer.documentsDeleted(result.deleted());
        observer.documentsSkipped(result.skipped() + events.size() - fresh.size());
        observer.documentsUnchanged(result.unchanged());
        observer.chunksWritten(result.chunksWritten());
    }

    /**
     * Drops the tombstones without a version that the store's source positions show as written already. Such a
     * tombstone deletes "as of the highest version known", so delivered again after a crash (its offset not yet
     * committed) it would also delete a re-creation that followed it and was written too. Versioned events need no
     * such check: the store's version fencing makes them idempotent.
     */
    private List<Entry> withoutWrittenUnversionedTombstones(List<Entry> events) {
        Set<String> sources = new HashSet<>();
        for (Entry e : events) if (isUnversionedTombstone(e)) sources.add(source(e.record));
        if (sources.isEmpty()) return events;
        Map<String, Long> written = indexer.store().sourcePositions(sources);
        List<Entry> fresh = new ArrayList<>(events.size());
        for (Entry e : events) {
            Long upTo = written.get(source(e.record));
            if (isUnversionedTombstone(e) && upTo != null && e.record.offset() <= upTo) {
                LOG.debug("{}@{}: tombstone without version already written (position {}), skipped", source(e.record),
                        e.record.offset(), upTo);
            } else {
                fresh.add(e);
            }
        }
        return fresh;
    }

    private static boolean isUnversionedTombstone(Entry e) {
        return e.prepared.event().isDelete() && !e.prepared.event().hasKnownVersion();
    }

    /** The store's name for a record's source: its topic partition. */
    static String source(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition();
    }

    /** The worker may write only while the batch is not abandoned and every partition of it is still owned. */
    private void fence(Job job) {
        if (job.abandoned || stopping || !owned.containsAll(job.partitions)) throw new Abandoned();
    }

    private boolean storeAnswers() {
        try {
            indexer.store().documentStates(List.of(PROBE_ID));
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Reports the failure and waits its back-off; the wait ends early once the store answers again. */
    private void retryLater(Job job, int attempt, String why, Throwable error) {
        Duration backoff = config.backoff(attempt);
        LOG.warn("Ingestion retrying in {} ms (attempt {}): {}", backoff.toMillis(), attempt, why);
        setState(State.RETRYING, why);
        observer.transientFailure(attempt, asException(error));
        boolean storeWasDown = !storeAnswers();
        long end = System.nanoTime() + backoff.toNanos();
        long nextProbe = System.nanoTime() + Duration.ofMillis(250).toNanos();
        while (System.nanoTime() < end) {
            fence(job);
            synchronized (wakeSignal) {
                try {
                    wakeSignal.wait(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
                } catch (InterruptedException e) {
                    throw new Abandoned();
                }
            }
            if (storeWasDown && System.nanoTime() > nextProbe) {
                if (storeAnswers()) return; // back: try again now
                nextProbe = System.nanoTime() + Duration.ofMillis(250).toNanos();
            }
        }
    }

    // ---- dead letters -----------------------------------------------------------------------------------------

    private void deadLetter(Job job, Entry entry, Throwable error) {
        String why = Failures.reason(error);
        int attempt = 0;
        boolean minimal = false;
        while (true) {
            fence(job);
            try {
                deadLetters.send(deadLetterRecord(entry.record, why, error, minimal)).get(2 * CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                observer.deadLettered(why);
                LOG.warn("Sent {}-{}@{} to {}: {}", entry.record.topic(), entry.record.partition(), entry.record.offset(),
                        config.deadLetterTopic(), why);
                return;
            } catch (InterruptedException e) {
                throw new Abandoned();
            } catch (ExecutionException | TimeoutException | KafkaException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (cause instanceof RecordTooLargeException && !minimal) {
                    minimal = true; // the broker's limit is lower than ours: send the reason without the value
                    continue;
                }
                retryLater(job, ++attempt, "cannot write to the dead-letter topic " + config.deadLetterTopic() + ": "
                        + Failures.reason(cause), cause);
            }
        }
    }

    /** The record's copy for the dead-letter topic, cut to fit the producer's {@code max.request.size}. */
    ProducerRecord<byte[], byte[]> deadLetterRecord(ConsumerRecord<byte[], byte[]> record, String why, Throwable error,
                                                    boolean dropValue) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) headers.add(header);
        headers.add(REASON_HEADER, utf8(why));
        headers.add(EXCEPTION_HEADER, utf8(error.getClass().getName()));
        headers.add(TOPIC_HEADER, utf8(record.topic()));
        headers.add(PARTITION_HEADER, utf8(String.valueOf(record.partition())));
        headers.add(OFFSET_HEADER, utf8(String.valueOf(record.offset())));
        byte[] key = record.key();
        byte[] value = record.value();
        int limit = config.maxRequestBytes() - REQUEST_OVERHEAD;
        int size = size(key, value, headers);
        if ((size > limit || dropValue) && value != null) {
            int keep = dropValue ? 0 : Math.max(0, value.length - (size - limit) - 64);
            headers.add(TRUNCATED_HEADER, utf8(String.valueOf(value.length)));
            value = Arrays.copyOf(value, keep);
            size = size(key, value, headers);
        }
        if (size > limit && key != null) {
            int keep = Math.max(0, key.length - (size - limit) - 64);
            headers.add(KEY_TRUNCATED_HEADER, utf8(String.valueOf(key.length)));
            key = Arrays.copyOf(key, keep);
            size = size(key, value, headers);
        }
        if (size > limit) { // the original headers alone are too big: keep only ours
            RecordHeaders ours = new RecordHeaders();
            for (Header h : headers) if (h.key().startsWith("ragline.dlq.")) ours.add(h);
            headers = ours;
        }
        return new ProducerRecord<>(config.deadLetterTopic(), null, record.timestamp(), key, value, headers);
    }

    private static int size(byte[] key, byte[] value, RecordHeaders headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, headers.toArray());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String decodeKey(byte[] key) {
        if (key == null) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidEventException("record key is not valid UTF-8", e);
        }
    }

    private static Exception asException(Throwable t) {
        return t instanceof Exception e ? e : new RuntimeException(t);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
