package dev.ragline.core;

import java.util.List;
import java.util.Objects;

/**
 * One step of a {@link ChunkStore#write} batch. Both kinds are fenced by version: they never touch chunks or
 * deletion markers of a higher version, so a late or replayed write cannot roll a document back.
 */
public sealed interface DocumentWrite {
    String documentId();

    long version();

    /**
     * Makes {@code chunks} (all of {@code documentId} at {@code version}) the document's content: upserts them and
     * removes the document's chunks and deletion markers of lower versions. An empty list only removes the lower
     * versions (the version's chunks are already stored). Skipped when the store holds a higher version or a
     * deletion marker at this version or above.
     */
    record Replace(String documentId, long version, List<StoredChunk> chunks) implements DocumentWrite {
        public Replace {
            Objects.requireNonNull(documentId, "documentId");
            chunks = List.copyOf(chunks);
            for (StoredChunk c : chunks) {
                if (!c.chunk().documentId().equals(documentId) || c.chunk().version() != version)
                    throw new IllegalArgumentException("chunk " + c.chunk().id() + " is of " + c.chunk().documentId()
                            + " v" + c.chunk().version() + ", not of " + documentId + " v" + version);
            }
        }
    }

    /**
     * Removes the document's chunks of versions up to {@code version} and leaves a deletion marker at
     * {@code version}, so a replay of any version up to it is refused later. Skipped when a higher version is stored.
     */
    record Delete(String documentId, long version) implements DocumentWrite {
        public Delete {
            Objects.requireNonNull(documentId, "documentId");
        }
    }
}
