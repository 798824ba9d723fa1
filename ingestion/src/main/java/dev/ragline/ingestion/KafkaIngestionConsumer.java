package dev.ragline.ingestion;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes document events from Kafka and keeps the chunk store in step, on its own thread.
 *
 * <p>Delivery: at least once into the store, which is idempotent, so effectively once. A polled batch is
 * decoded, parsed and split record by record; records that can never be indexed go to the dead-letter topic
 * (original key, value and headers, plus {@code ragline.dlq.*} headers with the reason); the rest is embedded
 * and written; only then are the batch's offsets committed. When the encoder, the store or the dead-letter
 * producer fails, nothing is committed: the consumer seeks back to the batch start, waits (exponential
 * back-off, capped) and processes the batch again, for as long as it takes; nothing is skipped.
 * An {@link Error} (or a crash) leaves the batch uncommitted: the next consumer in the group redoes it.
 */
public final class KafkaIngestionConsumer implements AutoCloseable {
    public static final String REASON_HEADER = "ragline.dlq.reason";
    public static final String EXCEPTION_HEADER = "ragline.dlq.exception";
    public static final String TOPIC_HEADER = "ragline.dlq.topic";
    public static final String PARTITION_HEADER = "ragline.dlq.partition";
    public static final String OFFSET_HEADER = "ragline.dlq.offset";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngestionConsumer.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final IngestionConfig config;
    private final DocumentIndexer indexer;
    private final IngestionObserver observer;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;
    private Thread thread;
    private volatile boolean stopping;
    private volatile boolean running;
    private volatile Throwable failure;
    private volatile long lag = -1;

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
        running = true;
        thread = new Thread(this::run, "ragline-ingestion-" + config.topic());
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops after the record batch in hand (or its back-off) and waits for the thread to end. Idempotent. */
    @Override
    public void close() {
        Thread worker;
        synchronized (this) {
            worker = thread;
            if (worker == null || stopping) return;
            stopping = true;
        }
        stopSignal.countDown();
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            LOG.debug("wakeup after the consumer closed", e);
        }
        try {
            worker.join(CLOSE_TIMEOUT.toMillis() * 3);
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

    public IngestionConfig config() {
        return config;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A new group indexes what was published before it started.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        // Embedding a batch on a CPU takes a while; the default five minutes is tight for big batches.
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofMinutes(10).toMillis());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ragline-ingestion-" + config.groupId());
        p.putAll(config.clientOverrides());
        return p;
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ragline-ingestion-dlq-" + config.groupId());
        p.putAll(config.clientOverrides());
        // Consumer settings among the overrides are no producer settings: drop them to keep the log quiet.
        p.keySet().retainAll(ProducerConfig.configNames());
        return p;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.topic()), new RebalanceListener());
            int attempt = 0;
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL_TIMEOUT);
                updateLag();
                if (records.isEmpty()) continue;
                long started = System.nanoTime();
                try {
                    processBatch(records);
                    attempt = 0;
                    observer.batchCompleted(records.count(), Duration.ofNanos(System.nanoTime() - started));
                } catch (WakeupException | InterruptException e) {
                    throw e;
                } catch (RuntimeException e) {
                    attempt++;
                    Duration backoff = config.backoff(attempt);
                    LOG.warn("Ingestion batch of {} records failed (attempt {}), retrying in {} ms: {}",
                            records.count(), attempt, backoff.toMillis(), e.toString());
                    observer.transientFailure(attempt, e);
                    rewind(records);
                    if (stopSignal.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) break;
                }
            }
        } catch (WakeupException e) {
            if (!stopping) failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            LOG.error("Ingestion consumer stopped by an unexpected error; uncommitted records will be redelivered", t);
        } finally {
            closeQuietly();
            running = false;
        }
    }

    private void processBatch(ConsumerRecords<byte[], byte[]> records) {
        List<DocumentIndexer.PreparedEvent> prepared = new ArrayList<>(records.count());
        List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                DocumentEvent event = DocumentEvent.decode(decodeKey(record.key()), record.value(), config.maxEventBytes());
                prepared.add(indexer.prepare(event));
            } catch (RuntimeException e) {
                // Parsing touches no external system: whatever fails here fails again on every retry.
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                reasons.add(reason);
                dead.add(deadLetter(record, reason, e));
            }
        }
        DocumentIndexer.Result result = indexer.apply(prepared);
        sendAll(dead);
        commit(records);
        observer.documentsIndexed(result.indexed());
        observer.documentsDeleted(result.deleted());
        observer.documentsSkipped(result.skipped());
        observer.chunksWritten(result.chunksWritten());
        reasons.forEach(observer::deadLettered);
        if (!dead.isEmpty()) LOG.warn("Sent {} records to {}: {}", dead.size(), config.deadLetterTopic(), reasons);
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

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, Exception e) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) headers.add(header);
        headers.add(REASON_HEADER, utf8(reason));
        headers.add(EXCEPTION_HEADER, utf8(e.getClass().getName()));
        headers.add(TOPIC_HEADER, utf8(record.topic()));
        headers.add(PARTITION_HEADER, utf8(String.valueOf(record.partition())));
        headers.add(OFFSET_HEADER, utf8(String.valueOf(record.offset())));
        return new ProducerRecord<>(config.deadLetterTopic(), null, record.timestamp(), record.key(), record.value(), headers);
    }

    private void sendAll(List<ProducerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) return;
        List<Future<RecordMetadata>> sent = records.stream().map(deadLetters::send).toList();
        try {
            for (Future<RecordMetadata> future : sent) future.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot write to dead-letter topic " + config.deadLetterTopic(), e);
        }
    }

    private void commit(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            ConsumerRecord<byte[], byte[]> last = records.records(partition).getLast();
            offsets.put(partition, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
        }
        try {
            commitSync(offsets);
        } catch (CommitFailedException e) {
            // The group moved the partitions elsewhere meanwhile; their new owner redoes the batch, idempotently.
            LOG.warn("Offsets not committed after a rebalance; the records will be processed again: {}", e.getMessage());
        }
    }

    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            // close() was called mid-commit; the work is done, so finish the commit (a wakeup fires only once).
            consumer.commitSync(offsets);
        }
    }

    /** Seeks the batch's partitions back to its first records, so the next poll returns the batch again. */
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
        for (TopicPartition partition : consumer.assignment()) {
            var partitionLag = consumer.currentLag(partition);
            if (partitionLag.isPresent()) {
                total += partitionLag.getAsLong();
                known = true;
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
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Offsets are committed synchronously at the end of each batch and a failed batch is rewound, so when
     * partitions are revoked (which happens only inside poll) no finished work is left uncommitted.
     */
    private final class RebalanceListener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) LOG.info("Partitions revoked: {}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) LOG.info("Partitions assigned: {}", partitions);
        }
    }
}
