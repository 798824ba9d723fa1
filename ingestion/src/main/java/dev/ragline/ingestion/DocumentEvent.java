package dev.ragline.ingestion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragline.core.Tenant;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One event on the ingestion topic. The Kafka key is the document id (so one document's events stay in
 * order on one partition); the value is JSON:
 *
 * <pre>{"id": "doc-1", "title": "…", "text": "…", "contentType": "text/markdown",
 *  "metadata": {"team": "search"}, "version": 3}</pre>
 *
 * {@code content} may stand for {@code text}; {@code id} may be left out (the key is used), {@code title}
 * defaults to empty, {@code contentType} to {@code text/plain}, {@code metadata} to none. A null value
 * (a tombstone) deletes the document; its version, when known, travels in the record header
 * {@value #VERSION_HEADER} (a decimal number). Unknown fields are rejected, so a misspelt field is not silently ignored.
 * The tenant travels in the record header {@value #TENANT_HEADER}, for upserts and tombstones alike; the
 * metadata key {@value Tenant#METADATA_KEY} is reserved for it.
 *
 * @param text    null for a delete (tombstone), otherwise the non-blank document body
 * @param version the document version; for a delete {@link #UNKNOWN_VERSION} when the tombstone carries none
 * @param tenant  the tenant the document belongs to; its id is unique within the tenant only
 */
public record DocumentEvent(String id, String title, String text, ContentType contentType,
                            Map<String, String> metadata, long version, Tenant tenant) {

    /** Default cap on one event's serialized size: just under Kafka's default 1 MiB message limit. */
    public static final int DEFAULT_MAX_BYTES = IngestionLimits.DEFAULT_MAX_EVENT_BYTES;
    /** Record header with a tombstone's version (decimal); optional. */
    public static final String VERSION_HEADER = "ragline.version";
    /** Record header naming the event's tenant (see {@link Tenant}). */
    public static final String TENANT_HEADER = "ragline.tenant";
    /** The version of a delete whose tombstone carries no {@value #VERSION_HEADER} header. */
    public static final long UNKNOWN_VERSION = -1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> FIELDS = Set.of("id", "title", "text", "content", "contentType", "metadata", "version");

    public DocumentEvent {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) throw new IllegalArgumentException("document id must not be blank");
        title = title == null ? "" : title;
        contentType = contentType == null ? ContentType.PLAIN_TEXT : contentType;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        Objects.requireNonNull(tenant, "tenant");
        if (metadata.containsKey(Tenant.METADATA_KEY))
            throw new IllegalArgumentException("metadata key '" + Tenant.METADATA_KEY + "' is reserved for the tenant");
        if (text != null && text.isBlank()) throw new IllegalArgumentException("document text must not be blank");
        if (version < 0 && !(text == null && version == UNKNOWN_VERSION))
            throw new IllegalArgumentException("version must be >= 0, got " + version);
    }

    public static DocumentEvent upsert(String id, String title, String text, ContentType contentType,
                                       Map<String, String> metadata, long version) {
        return new DocumentEvent(id, title, Objects.requireNonNull(text, "text"), contentType, metadata, version,
                Tenant.DEFAULT);
    }

    /** A delete: published as a tombstone (null value) with the document id as key. */
    public static DocumentEvent delete(String id) {
        return new DocumentEvent(id, "", null, ContentType.PLAIN_TEXT, Map.of(), UNKNOWN_VERSION, Tenant.DEFAULT);
    }

    /** A delete of the document as of {@code version}: versions up to it can never come back. */
    public static DocumentEvent delete(String id, long version) {
        if (version < 0) throw new IllegalArgumentException("version must be >= 0, got " + version);
        return new DocumentEvent(id, "", null, ContentType.PLAIN_TEXT, Map.of(), version, Tenant.DEFAULT);
    }

    /** The same event for another tenant. */
    public DocumentEvent withTenant(Tenant tenant) {
        return new DocumentEvent(id, title, text, contentType, metadata, version, tenant);
    }

    /** The id the stores keep the document under: unique across tenants. */
    public String storeId() {
        return tenant.qualify(id);
    }

    /** A delete that carries its version ({@value #VERSION_HEADER} header). */
    public boolean hasKnownVersion() {
        return version != UNKNOWN_VERSION;
    }

    public boolean isDelete() {
        return text == null;
    }

    /** The Kafka record value: JSON for an upsert, null (a tombstone) for a delete. */
    public byte[] toValue() {
        if (isDelete()) return null;
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("title", title).put("text", text).put("contentType", contentType.mediaType());
        ObjectNode meta = node.putObject("metadata");
        metadata.forEach(meta::put);
        node.put("version", version);
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Decodes a Kafka record strictly.
     *
     * @throws InvalidEventException with a reason a producer can act on
     */
    public static DocumentEvent decode(String key, byte[] value, int maxBytes) {
        return decode(key, value, null, Tenant.DEFAULT, IngestionLimits.DEFAULTS.withMaxEventBytes(maxBytes));
    }

    /**
     * Decodes a Kafka record strictly and checks it against the limits.
     *
     * @param deleteVersion the {@value #VERSION_HEADER} header of a tombstone, or null
     * @param tenant        the event's tenant (from its {@value #TENANT_HEADER} header, see {@link #tenantOf})
     * @throws InvalidEventException with a reason a producer can act on ({@link EventTooLargeException} for sizes)
     */
    public static DocumentEvent decode(String key, byte[] value, String deleteVersion, Tenant tenant,
                                       IngestionLimits limits) {
        if (key == null || key.isBlank()) throw new InvalidEventException("record key (the document id) is missing");
        int idBytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (idBytes > limits.maxIdBytes())
            throw new EventTooLargeException("document id is " + idBytes + " bytes, over the limit of " + limits.maxIdBytes()
                    + " (ragline.ingestion.max-id-bytes)");
        if (value == null) {
            if (deleteVersion == null) return delete(key).withTenant(tenant);
            try {
                return delete(key, Long.parseLong(deleteVersion.strip())).withTenant(tenant);
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("header " + VERSION_HEADER + " must be a version >= 0, got '" + deleteVersion + "'");
            }
        }
        int maxBytes = limits.maxEventBytes();
        if (value.length > maxBytes) {
            throw new EventTooLargeException("event is " + value.length + " bytes, over the limit of " + maxBytes
                    + " (ragline.ingestion.max-event-bytes)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(utf8(value));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("value is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new InvalidEventException("value must be a JSON object");
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidEventException("unknown field '" + name + "', expected some of " + FIELDS);
            }
        }
        String id = optionalString(root, "id");
        if (id != null && !id.equals(key)) {
            throw new InvalidEventException("field id '" + id + "' does not match the record key '" + key + "'");
        }
        if (root.has("text") && root.has("content")) throw new InvalidEventException("give either text or content, not both");
        String text = optionalString(root, root.has("content") ? "content" : "text");
        if (text == null) throw new InvalidEventException("field text (or content) is missing");
        if (text.isBlank()) throw new InvalidEventException("field text is blank");
        ContentType contentType = ContentType.PLAIN_TEXT;
        String mediaType = optionalString(root, "contentType");
        if (mediaType != null) {
            try {
                contentType = ContentType.fromMediaType(mediaType);
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException(e.getMessage());
            }
        }
        Map<String, String> metadata = metadata(root);
        checkMetadata(metadata, limits);
        if (metadata.containsKey(Tenant.METADATA_KEY))
            throw new InvalidEventException("metadata key '" + Tenant.METADATA_KEY + "' is reserved: the tenant comes from "
                    + "the " + TENANT_HEADER + " record header (or the caller's API key over HTTP)");
        return new DocumentEvent(key, optionalString(root, "title"), text, contentType, metadata, version(root), tenant);
    }

    /**
     * The tenant a record's {@value #TENANT_HEADER} header names.
     *
     * @param header   the header's value, or null when the record has none
     * @param fallback the tenant of records without the header (the open development mode's default tenant), or
     *                 null when the header is required
     * @throws InvalidEventException when the header is missing and required, or names no valid tenant
     */
    public static Tenant tenantOf(String header, Tenant fallback) {
        if (header == null) {
            if (fallback != null) return fallback;
            throw new InvalidEventException("record header " + TENANT_HEADER + " (the document's tenant) is missing");
        }
        try {
            return new Tenant(header);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("record header " + TENANT_HEADER + ": " + e.getMessage());
        }
    }

    private static void checkMetadata(Map<String, String> metadata, IngestionLimits limits) {
        if (metadata.size() > limits.maxMetadataEntries())
            throw new EventTooLargeException("metadata has " + metadata.size() + " entries, over the limit of "
                    + limits.maxMetadataEntries() + " (ragline.ingestion.max-metadata-entries)");
        metadata.forEach((k, v) -> {
            int keyBytes = k.getBytes(StandardCharsets.UTF_8).length;
            if (keyBytes > limits.maxMetadataKeyBytes())
                throw new EventTooLargeException("metadata key '" + k.substring(0, Math.min(40, k.length())) + "…' is "
                        + keyBytes + " bytes, over the limit of " + limits.maxMetadataKeyBytes()
                        + " (ragline.ingestion.max-metadata-key-bytes)");
            int valueBytes = v.getBytes(StandardCharsets.UTF_8).length;
            if (valueBytes > limits.maxMetadataValueBytes())
                throw new EventTooLargeException("metadata value of '" + k + "' is " + valueBytes
                        + " bytes, over the limit of " + limits.maxMetadataValueBytes()
                        + " (ragline.ingestion.max-metadata-value-bytes; the stores index it as one term)");
        });
    }

    private static String utf8(byte[] value) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidEventException("value is not valid UTF-8", e);
        }
    }

    private static String optionalString(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw new InvalidEventException("field " + field + " must be a string, got " + node.getNodeType());
        return node.textValue();
    }

    private static long version(JsonNode root) {
        JsonNode node = root.get("version");
        if (node == null || node.isNull()) throw new InvalidEventException("field version is missing");
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new InvalidEventException("field version must be an integer, got " + node);
        }
        long version = node.longValue();
        if (version < 0) throw new InvalidEventException("field version must be >= 0, got " + version);
        return version;
    }

    private static Map<String, String> metadata(JsonNode root) {
        JsonNode node = root.get("metadata");
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw new InvalidEventException("field metadata must be an object of strings");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (var entries = node.properties().iterator(); entries.hasNext(); ) {
            var entry = entries.next();
            if (entry.getKey().isBlank()) throw new InvalidEventException("metadata keys must not be blank");
            if (!entry.getValue().isTextual()) {
                throw new InvalidEventException("metadata value for '" + entry.getKey() + "' must be a string, got "
                        + entry.getValue().getNodeType());
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return metadata;
    }
}
