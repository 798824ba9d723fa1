package dev.ragline.retrieval;

import java.util.Collection;
import java.util.Map;

/**
 * What the LangChain4j {@code EmbeddingStore} adapter needs beyond {@link dev.ragline.core.ChunkStore}: stored
 * vectors by chunk id, and removal by chunk id or of everything. Both real stores implement it.
 */
public interface ChunkAccess {

    /** The stored (L2-normalised) vectors of those chunk ids that exist. */
    Map<String, float[]> vectors(Collection<String> chunkIds);

    /** Removes the chunks with these ids (absent ids are ignored). Durable when the call returns. */
    void deleteChunks(Collection<String> chunkIds);

    /** Removes every chunk. Durable when the call returns. */
    void deleteAll();
}
