package dev.ragline.core;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One indexed piece of a document: the unit that is embedded, stored and returned by search.
 *
 * @param id          deterministic id, see {@link #idFor(String, long, int)}
 * @param documentId  id of the source document (the Kafka key)
 * @param version     version of the source document this chunk was cut from
 * @param index       position of the chunk within the document, from 0
 * @param text        the chunk text exactly as embedded
 * @param title       document title (may be empty)
 * @param heading     nearest heading path above the chunk, for example "Setup > Install" (may be empty)
 * @param startOffset start character offset of the chunk in the parsed document text
 * @param endOffset   end character offset (exclusive) in the parsed document text
 * @param metadata    user metadata from the event, string values only; filters match on it
 */
public record Chunk(String id, String documentId, long version, int index, String text, String title,
                    String heading, int startOffset, int endOffset, Map<String, String> metadata) {

    public Chunk {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(documentId, "documentId");
        Objects.requireNonNull(text, "text");
        title = title == null ? "" : title;
        heading = heading == null ? "" : heading;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /**
     * Chunk ids are a name-based UUID of (document id, version, position), so a redelivered or replayed
     * event overwrites the same points instead of adding new ones. UUIDs are also what Qdrant accepts.
     */
    public static String idFor(String documentId, long version, int index) {
        String name = documentId + '\u0000' + version + '\u0000' + index;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
