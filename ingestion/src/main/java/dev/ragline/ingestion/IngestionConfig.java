package dev.ragline.ingestion;

import dev.ragline.core.Tenant;
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
 * @param groupInstanceId     static membership ({@code group.instance.id}), unique per instance; a restarted instance
 *                            with the same id gets its partitions back at once instead of after the session timeout.
 *                            Null for dynamic membership
 * @param sessionTimeout      {@code session.timeout.ms}: how long a silent member keeps its partitions
 * @param maxPollRecords      records per poll
 * @param maxBatchTokens      a poll's records are processed and committed in sub-batches of at most this many
 *                            encoder tokens (counted as chunks × chunk size, an upper bound); a single larger event
 *                            is a sub-batch of its own
 * @param retryInitialBackoff first wait after a transient failure; doubled per attempt
 * @param retryMaxBackoff     longest wait between attempts
 * @param bisectAfterAttempts a batch that failed this many times while the store answers is bisected to find the
 *                            event that fails alone
 * @param maxEventAttempts    an event that failed alone this many times (while the rest of its batch was written)
 *                            goes to the dead-letter topic
 * @param maxRequestBytes     the producers' {@code max.request.size}; a dead-letter copy (value, key and headers) is
 *                            truncated to fit it
 * @param limits              what one event may be
 * @param clientOverrides     extra Kafka client properties (security, timeouts…), applied to the consumer and the
 *                            dead-letter producer; they win over the settings made here
 * @param defaultTenant       the tenant of records without a {@value DocumentEvent#TENANT_HEADER} header; null when
 *                            the header is required (records without it go to the dead-letter topic)
 */
public record IngestionConfig(String bootstrapServers, String topic, String deadLetterTopic, String groupId,
                              String groupInstanceId, Duration sessionTimeout, int maxPollRecords, int maxBatchTokens,
                              Duration retryInitialBackoff, Duration retryMaxBackoff, int bisectAfterAttempts,
                              int maxEventAttempts, int maxRequestBytes, IngestionLimits limits,
                              Map<String, String> clientOverrides, Tenant defaultTenant) {

    public static final String DEFAULT_TOPIC = "ragline.documents";
    public static final String DEFAULT_GROUP_ID = "ragline-ingestion";
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    public static final int DEFAULT_MAX_POLL_RECORDS = 100;
    public static final int DEFAULT_MAX_BATCH_TOKENS = 32_768;
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(45);
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final int DEFAULT_BISECT_AFTER_ATTEMPTS = 3;
    public static final int DEFAULT_MAX_EVENT_ATTEMPTS = 3;
    /** Kafka's default {@code max.request.size}. */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1_048_576;

    public IngestionConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) throw new IllegalArgumentException("bootstrapServers must not be blank");
        topic = topic == null || topic.isBlank() ? DEFAULT_TOPIC : topic;
        deadLetterTopic = deadLetterTopic == null || deadLetterTopic.isBlank() ? topic + DEAD_LETTER_SUFFIX : deadLetterTopic;
        if (deadLetterTopic.equals(topic)) throw new IllegalArgumentException("the dead-letter topic must differ from the topic");
        groupId = groupId == null || groupId.isBlank() ? DEFAULT_GROUP_ID : groupId;
        groupInstanceId = groupInstanceId == null || groupInstanceId.isBlank() ? null : groupInstanceId;
        sessionTimeout = sessionTimeout == null ? DEFAULT_SESSION_TIMEOUT : sessionTimeout;
        maxPollRecords = positive(maxPollRecords, DEFAULT_MAX_POLL_RECORDS, "maxPollRecords");
        maxBatchTokens = positive(maxBatchTokens, DEFAULT_MAX_BATCH_TOKENS, "maxBatchTokens");
        retryInitialBackoff = retryInitialBackoff == null ? DEFAULT_RETRY_INITIAL_BACKOFF : retryInitialBackoff;
        retryMaxBackoff = retryMaxBackoff == null ? DEFAULT_RETRY_MAX_BACKOFF : retryMaxBackoff;
        if (retryInitialBackoff.isNegative() || retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= retryInitialBackoff <= retryMaxBackoff");
        }
        bisectAfterAttempts = positive(bisectAfterAttempts, DEFAULT_BISECT_AFTER_ATTEMPTS, "bisectAfterAttempts");
        maxEventAttempts = positive(maxEventAttempts, DEFAULT_MAX_EVENT_ATTEMPTS, "maxEventAttempts");
        maxRequestBytes = positive(maxRequestBytes, DEFAULT_MAX_REQUEST_BYTES, "maxRequestBytes");
        limits = limits == null ? IngestionLimits.DEFAULTS : limits;
        clientOverrides = clientOverrides == null ? Map.of() : Map.copyOf(clientOverrides);
        String override = clientOverrides.get("max.request.size");
        if (override != null) maxRequestBytes = Integer.parseInt(override.strip());
        if (limits.maxEventBytes() + limits.maxIdBytes() > maxRequestBytes)
            throw new IllegalArgumentException("max event bytes (" + limits.maxEventBytes() + ") plus max id bytes ("
                    + limits.maxIdBytes() + ") must fit the producers' max.request.size (" + maxRequestBytes + ")");
    }

    private static int positive(int value, int fallback, String name) {
        if (value < 0) throw new IllegalArgumentException(name + " must be positive");
        return value == 0 ? fallback : value;
    }

    /** Defaults for everything but the servers. */
    public static IngestionConfig defaults(String bootstrapServers) {
        return new IngestionConfig(bootstrapServers, null, null, null, null, null, 0, 0, null, null, 0, 0, 0, null, null,
                Tenant.DEFAULT);
    }

    /** Largest record value accepted. */
    public int maxEventBytes() {
        return limits.maxEventBytes();
    }

    public IngestionConfig withTopic(String topic, String deadLetterTopic) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withGroupId(String groupId) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    /** Static membership: {@code instanceId} (null for dynamic) and the session timeout (null for the default). */
    public IngestionConfig withStaticMembership(String instanceId, Duration sessionTimeout) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, instanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withMaxPollRecords(int maxPollRecords) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withMaxBatchTokens(int maxBatchTokens) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withRetryBackoff(Duration initial, Duration max) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, initial, max, bisectAfterAttempts, maxEventAttempts, maxRequestBytes,
                limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withAttempts(int bisectAfterAttempts, int maxEventAttempts) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withLimits(IngestionLimits limits, int maxRequestBytes) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    public IngestionConfig withClientOverrides(Map<String, String> clientOverrides) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    /** The tenant of records without a tenant header, or null to dead-letter them. */
    public IngestionConfig withDefaultTenant(Tenant defaultTenant) {
        return new IngestionConfig(bootstrapServers, topic, deadLetterTopic, groupId, groupInstanceId, sessionTimeout,
                maxPollRecords, maxBatchTokens, retryInitialBackoff, retryMaxBackoff, bisectAfterAttempts,
                maxEventAttempts, maxRequestBytes, limits, clientOverrides, defaultTenant);
    }

    /** Backoff before retry number {@code attempt} (1-based): initial × 2^(attempt-1), at most the maximum. */
    public Duration backoff(int attempt) {
        long initial = retryInitialBackoff.toMillis();
        long factor = 1L << Math.min(Math.max(attempt - 1, 0), 30);
        return Duration.ofMillis(Math.min(retryMaxBackoff.toMillis(), initial * factor));
    }
}
