package dev.ragline.core;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * Applies the writes in order and makes them durable before returning, as one unit where the engine allows
     * (Lucene: one commit and one searcher refresh for the whole list; Qdrant: ordered batch updates with strong
     * write ordering). Fenced by version, see {@link DocumentWrite}. A write that fails throws; the caller retries
     * the whole list (every write is idempotent).
     */
    default void write(List<DocumentWrite> writes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support versioned writes");
    }

    /**
     * As {@link #write(List)}, and records in the same unit how far each event source has been written:
     * {@code positions} maps a source (for Kafka, {@code topic/partition}) to the position (offset) of its last
     * event whose effect is in {@code writes} or needed no write. A recorded position only grows. Lets a consumer
     * recognise a redelivered event that carries no version of its own (a tombstone without one). Stores that keep
     * no positions write and ignore them ({@link #sourcePositions} then knows none).
     */
    default void write(List<DocumentWrite> writes, Map<String, Long> positions) {
        write(writes);
    }

    /** The recorded positions of those sources that have one (see {@link #write(List, Map)}). */
    default Map<String, Long> sourcePositions(Collection<String> sources) {
        return Map.of();
    }

    /** One {@link DocumentWrite.Replace}: the document's chunks become {@code chunks}, lower versions go. */
    default void replaceDocument(String documentId, long version, List<StoredChunk> chunks) {
        write(List.of(new DocumentWrite.Replace(documentId, version, chunks)));
    }

    /** One {@link DocumentWrite.Delete}: chunks up to {@code version} go, a deletion marker at it stays. */
    default void deleteDocument(String documentId, long version) {
        write(List.of(new DocumentWrite.Delete(documentId, version)));
    }

    /** What is stored of each document (absent ones included, as {@link DocumentState#ABSENT}). */
    default Map<String, DocumentState> documentStates(Collection<String> documentIds) {
        Map<String, DocumentState> states = new LinkedHashMap<>();
        for (String id : documentIds) {
            OptionalLong version = documentVersion(id);
            states.put(id, version.isEmpty() ? DocumentState.ABSENT
                    : new DocumentState(Map.of(version.getAsLong(), -1), OptionalLong.empty()));
        }
        return states;
    }

    /** Top-k chunks by cosine similarity to an L2-normalised query vector, among those the filter admits. */
    List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter);

    /**
     * A search in the query's {@link SearchMode}: dense (the vector search above), keyword (BM25 on the text) or
     * hybrid (both legs with the same filter, fused by reciprocal rank fusion); hits say which legs found them.
     * Stores without a keyword index support dense only and refuse the others with
     * {@link UnsupportedOperationException}.
     */
    default List<SearchHit> search(SearchQuery query) {
        if (query.mode() != SearchMode.DENSE)
            throw new UnsupportedOperationException(getClass().getSimpleName() + " has no keyword index; "
                    + query.mode().wireName() + " search is not supported");
        List<SearchHit> hits = search(query.vector(), query.k(), query.filter());
        List<SearchHit> ranked = new java.util.ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            SearchHit hit = hits.get(i);
            ranked.add(new SearchHit(hit.chunk(), hit.score(), new SearchHit.Leg(i + 1, hit.score()), null));
        }
        return ranked;
    }

    /** The search modes {@link #search(SearchQuery)} accepts. */
    default java.util.Set<SearchMode> searchModes() {
        return java.util.EnumSet.of(SearchMode.DENSE);
    }

    /** Number of chunks stored. */
    long count();

    /** Vector dimension this store was created for. */
    int dimension();

    @Override
    void close();
}
