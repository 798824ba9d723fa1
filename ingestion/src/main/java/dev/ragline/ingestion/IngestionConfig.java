package dev.ragline.ingestion;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the ingestion consumer. Null arguments (0 for the numbers) take the defaults shown on the constants.
 *
 * @param bootstrapServers    Kafka {@code bootstrap.servers}
 * @param topic               the document topic
 * @param deadLetterTopic     where events that can never be indexed go; default {@code <topic>.dlq}
 * @param groupId             consumer group id; instances in one group share the topic's partitions
 * @param maxPollRecords      records per batch; keep a batch's embedding time well under
 *                            {@code max.poll.interval.ms} (default here 10 minutes)
 * @param retryInitialBackoff first wait after a transient failure; doubled per attempt
 * @param retryMaxBackoff     longest wait between attempts (attempts themselves never stop: nothing is skipped)
 * @param maxEventBytes       larger record values are dead-lettered
 * @param clientOverrides     extra Kafka client properties (security, timeouts…), applied to the consumer and the
 *                            dead-letter producer; they win over the settings made here
 */
public record IngestionConfig(String bootstrapServers, String topic, String deadLetterTopic, String groupId,
                              int maxPollRecords, Duration retryInitialBackoff, Duration retryMaxBackoff,
                              int maxEventBytes, Map<String, String> clientOverrides) {

    public static final String DEFAULT_TOPIC = "ragline.documents";
    public static final String DEFAULT_GROUP_ID = "ragline-ingestion";
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    public static final int DEFAULT_MAX_POLL_RECORDS = 100;
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(30);

    public IngestionConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) throw new IllegalArgumentException("bootstrapServers must not be blank");
        topic = topic == null || topic.isBlank() ? DEFAULT_TOPIC : topic;
        deadLetterTopic = deadLetterTopic == null || deadLetterTopic.isBlank() ? topic + DEAD_LETTER_SUFFIX : deadLetterTopic;
        if (deadLetterTopic.equals(topic)) throw new IllegalArgumentException("the dead-letter topic must differ from the topic");
        groupId = groupId == null || groupId.isBlank() ? DEFAULT_GROUP_ID : groupId;
        if (maxPollRecords == 0) maxPollRecords = DEFAULT_MAX_POLL_RECORDS;
        if (maxPollRecords < 0) throw new IllegalArgumentException("maxPollRecords must be positive");
        retryInitialBackoff = retryInitialBackoff == null ? DEFAULT_RETRY_INITIAL_BACKOFF : retryInitialBackoff;
        retryMaxBackoff = retryMaxBackoff == null ? DEFAULT_RETRY_MAX_BACKOFF : retryMaxBackoff;
        if (retryInitialBackoff.isNegative() || retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= retryInitialBackoff <= retryMaxBackoff");
        }
        if (maxEventBytes == 0) maxEventBytes = DocumentEvent.DEFAULT_MAX_BYTES;
        if (maxEventBytes < 0) throw new IllegalArgumentException("maxEventBytes must be positive");
        clientOverrides = clientOverrides == null ? Map.of() : Map.copyOf(clientOverrides);
    }

    /** Defaults for everything but the servers. */
    public static IngestionConfig defaults(String bootstrapServers) {
        return new IngestionConfig(bootstrapServers, null, null, null, 0, null, null, 0, null);
    }

    public IngestionConfig withTopic(String topic, String deadLetterTopic) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, maxPollRecords,
                retryInitialBackoff, retryMaxBackoff, maxEventBytes, clientOverrides);
    }

    public IngestionConfig withGroupId(String groupId) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, maxPollRecords,
                retryInitialBackoff, retryMaxBackoff, maxEventBytes, clientOverrides);
    }

    public IngestionConfig withMaxPollRecords(int maxPollRecords) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, maxPollRecords,
                retryInitialBackoff, retryMaxBackoff, maxEventBytes, clientOverrides);
    }

    public IngestionConfig withRetryBackoff(Duration initial, Duration max) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, maxPollRecords,
                initial, max, maxEventBytes, clientOverrides);
    }

    /** Backoff before retry number {@code attempt} (1-based): initial × 2^(attempt-1), at most the maximum. */
    public Duration backoff(int attempt) {
        long initial = retryInitialBackoff.toMillis();
        long factor = 1L << Math.min(Math.max(attempt - 1, 0), 30);
        return Duration.ofMillis(Math.min(retryMaxBackoff.toMillis(), initial * factor));
    }
}
