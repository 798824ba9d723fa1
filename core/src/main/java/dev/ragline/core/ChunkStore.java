package dev.ragline.core;

import java.util.List;
import java.util.OptionalLong;

/**
 * Where embedded chunks live. Implementations: embedded Lucene HNSW and Qdrant (module {@code retrieval}).
 * All writes are idempotent: writing the same chunk id twice leaves one chunk.
 */
public interface ChunkStore extends AutoCloseable {

    /** Inserts or overwrites chunks by id. Durable when the call returns. */
    void upsert(List<StoredChunk> chunks);

    /** Removes every chunk of the document. */
    void deleteDocument(String documentId);

    /** Removes the document's chunks whose version differs from {@code keepVersion} (after an update). */
    void deleteOtherVersions(String documentId, long keepVersion);

    /** The version of the document currently stored, if any chunk of it is. */
    OptionalLong documentVersion(String documentId);

    /** Top-k chunks by cosine similarity to an L2-normalised query vector, among those the filter admits. */
    List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter);

    /** Number of chunks stored. */
    long count();

    /** Vector dimension this store was created for. */
    int dimension();

    @Override
    void close();
}
