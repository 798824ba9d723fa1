package dev.ragline.core;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** Exact, in-memory reference store for unit tests of logic around stores. */
public final class InMemoryChunkStore implements ChunkStore {
    private final Map<String, StoredChunk> chunks = new ConcurrentHashMap<>();
    private final int dimension;

    public InMemoryChunkStore(int dimension) {
        this.dimension = dimension;
    }

    @Override
    public void upsert(List<StoredChunk> batch) {
        batch.forEach(c -> chunks.put(c.chunk().id(), c));
    }

    @Override
    public void deleteDocument(String documentId) {
        chunks.values().removeIf(c -> c.chunk().documentId().equals(documentId));
    }

    @Override
    public void deleteOtherVersions(String documentId, long keepVersion) {
        chunks.values().removeIf(c -> c.chunk().documentId().equals(documentId) && c.chunk().version() != keepVersion);
    }

    @Override
    public OptionalLong documentVersion(String documentId) {
        return chunks.values().stream().filter(c -> c.chunk().documentId().equals(documentId))
                .mapToLong(c -> c.chunk().version()).max();
    }

    @Override
    public List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter) {
        return chunks.values().stream().filter(c -> filter.matches(c.chunk()))
                .map(c -> new SearchHit(c.chunk(), Vectors.dot(queryVector, c.vector())))
                .sorted(Comparator.comparingDouble(SearchHit::score).reversed()).limit(k).toList();
    }

    @Override public long count() { return chunks.size(); }
    @Override public int dimension() { return dimension; }
    @Override public void close() { }
}
