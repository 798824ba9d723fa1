package dev.ragline.ingestion;

/**
 * What one event may be, checked the same way by the consumer (a refused event goes to the dead-letter topic with
 * the reason) and by {@code POST /v1/documents} (refused with 400/413 and the same reason). 0 takes the default.
 *
 * @param maxEventBytes         serialized record value; keep it under the topic's {@code max.message.bytes} and the
 *                              producers' {@code max.request.size} (Kafka's defaults are about 1 MB)
 * @param maxIdBytes            document id (the record key) in UTF-8
 * @param maxMetadataEntries    metadata entries per event
 * @param maxMetadataKeyBytes   one metadata key in UTF-8
 * @param maxMetadataValueBytes one metadata value in UTF-8 (Lucene refuses terms over 32,766 bytes; keep well under)
 * @param maxNestingDepth       nesting of the parsed Markdown or HTML tree (block quotes, lists, elements)
 * @param maxChunksPerEvent     chunks one document may be split into
 */
public record IngestionLimits(int maxEventBytes, int maxIdBytes, int maxMetadataEntries, int maxMetadataKeyBytes,
                              int maxMetadataValueBytes, int maxNestingDepth, int maxChunksPerEvent) {
    /** Just under Kafka's default 1 MiB {@code max.request.size}, leaving room for the key and headers. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 1_000_000;
    public static final int DEFAULT_MAX_ID_BYTES = 512;
    public static final int DEFAULT_MAX_METADATA_ENTRIES = 64;
    public static final int DEFAULT_MAX_METADATA_KEY_BYTES = 256;
    public static final int DEFAULT_MAX_METADATA_VALUE_BYTES = 4096;
    public static final int DEFAULT_MAX_NESTING_DEPTH = 100;
    public static final int DEFAULT_MAX_CHUNKS_PER_EVENT = 2000;
    /** Lucene's limit on one indexed term; a metadata value must stay below it. */
    public static final int LUCENE_MAX_TERM_BYTES = 32_766;

    public static final IngestionLimits DEFAULTS = new IngestionLimits(0, 0, 0, 0, 0, 0, 0);

    public IngestionLimits {
        maxEventBytes = orDefault(maxEventBytes, DEFAULT_MAX_EVENT_BYTES, "maxEventBytes");
        maxIdBytes = orDefault(maxIdBytes, DEFAULT_MAX_ID_BYTES, "maxIdBytes");
        maxMetadataEntries = orDefault(maxMetadataEntries, DEFAULT_MAX_METADATA_ENTRIES, "maxMetadataEntries");
        maxMetadataKeyBytes = orDefault(maxMetadataKeyBytes, DEFAULT_MAX_METADATA_KEY_BYTES, "maxMetadataKeyBytes");
        maxMetadataValueBytes = orDefault(maxMetadataValueBytes, DEFAULT_MAX_METADATA_VALUE_BYTES, "maxMetadataValueBytes");
        maxNestingDepth = orDefault(maxNestingDepth, DEFAULT_MAX_NESTING_DEPTH, "maxNestingDepth");
        maxChunksPerEvent = orDefault(maxChunksPerEvent, DEFAULT_MAX_CHUNKS_PER_EVENT, "maxChunksPerEvent");
        if (maxMetadataValueBytes > LUCENE_MAX_TERM_BYTES || maxIdBytes > LUCENE_MAX_TERM_BYTES)
            throw new IllegalArgumentException("maxMetadataValueBytes and maxIdBytes must be at most Lucene's term limit of "
                    + LUCENE_MAX_TERM_BYTES + " bytes");
    }

    private static int orDefault(int value, int fallback, String name) {
        if (value < 0) throw new IllegalArgumentException(name + " must be positive, got " + value);
        return value == 0 ? fallback : value;
    }

    public IngestionLimits withMaxEventBytes(int bytes) {
        return new IngestionLimits(bytes, maxIdBytes, maxMetadataEntries, maxMetadataKeyBytes, maxMetadataValueBytes,
                maxNestingDepth, maxChunksPerEvent);
    }

    public IngestionLimits withMaxChunksPerEvent(int chunks) {
        return new IngestionLimits(maxEventBytes, maxIdBytes, maxMetadataEntries, maxMetadataKeyBytes,
                maxMetadataValueBytes, maxNestingDepth, chunks);
    }

    public IngestionLimits withMaxNestingDepth(int depth) {
        return new IngestionLimits(maxEventBytes, maxIdBytes, maxMetadataEntries, maxMetadataKeyBytes,
                maxMetadataValueBytes, depth, maxChunksPerEvent);
    }
}
