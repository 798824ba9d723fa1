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

    /** Deletion markers: document id to the version it was deleted at. */
    private final Map<String, Long> deleted = new ConcurrentHashMap<>();

    private final Map<String, Long> positions = new ConcurrentHashMap<>();

    @Override
    public synchronized void write(List<DocumentWrite> writes, Map<String, Long> sourcePositions) {
        write(writes);
        sourcePositions.forEach((source, offset) -> positions.merge(source, offset, Math::max));
    }

    @Override
    public synchronized Map<String, Long> sourcePositions(java.util.Collection<String> sources) {
        Map<String, Long> known = new java.util.LinkedHashMap<>();
        for (String s : sources) if (positions.containsKey(s)) known.put(s, positions.get(s));
        return known;
    }

    @Override
    public synchronized void write(List<DocumentWrite> writes) {
        for (DocumentWrite w : writes) {
            String id = w.documentId();
            long live = documentVersion(id).orElse(Long.MIN_VALUE);
            long marker = deleted.getOrDefault(id, Long.MIN_VALUE);
            switch (w) {
                case DocumentWrite.Replace r -> {
                    if (live > r.version() || marker >= r.version()) continue;
                    chunks.values().removeIf(c -> c.chunk().documentId().equals(id) && c.chunk().version() < r.version());
                    if (marker < r.version()) deleted.remove(id);
                    if (!r.chunks().isEmpty()) chunks.values().removeIf(c -> c.chunk().documentId().equals(id)
                            && c.chunk().version() == r.version() && c.chunk().index() >= r.chunks().size());
                    r.chunks().forEach(c -> chunks.put(c.chunk().id(), c));
                }
                case DocumentWrite.Delete d -> {
                    if (live > d.version()) continue;
                    chunks.values().removeIf(c -> c.chunk().documentId().equals(id) && c.chunk().version() <= d.version());
                    deleted.merge(id, d.version(), Math::max);
                }
            }
        }
    }

    @Override
    public synchronized Map<String, DocumentState> documentStates(java.util.Collection<String> documentIds) {
        Map<String, DocumentState> states = new java.util.LinkedHashMap<>();
        for (String id : documentIds) {
            Map<Long, Integer> perVersion = new java.util.TreeMap<>();
            chunks.values().stream().filter(c -> c.chunk().documentId().equals(id))
                    .forEach(c -> perVersion.merge(c.chunk().version(), 1, Integer::sum));
            Long marker = deleted.get(id);
            states.put(id, new DocumentState(perVersion, marker == null ? OptionalLong.empty() : OptionalLong.of(marker)));
        }
        return states;
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
