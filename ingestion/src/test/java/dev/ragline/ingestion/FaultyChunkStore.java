package dev.ragline.ingestion;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that fails on purpose, in front of a real one: for tests of retries and crash recovery. */
public final class FaultyChunkStore implements ChunkStore {
    /** Stands for the process dying: an Error, which the consumer does not retry. */
    public static final class SimulatedCrash extends Error {
        SimulatedCrash(String message) {
            super(message);
        }
    }

    private final ChunkStore delegate;
    private final AtomicInteger failingUpserts;
    private final AtomicInteger chunksBeforeCrash;
    private final AtomicInteger upsertCalls = new AtomicInteger();

    private FaultyChunkStore(ChunkStore delegate, int failingUpserts, int chunksBeforeCrash) {
        this.delegate = delegate;
        this.failingUpserts = new AtomicInteger(failingUpserts);
        this.chunksBeforeCrash = new AtomicInteger(chunksBeforeCrash);
    }

    /** The first {@code count} upserts throw a RuntimeException (a store that is briefly unavailable). */
    public static FaultyChunkStore failingFirstUpserts(ChunkStore delegate, int count) {
        return new FaultyChunkStore(delegate, count, Integer.MAX_VALUE);
    }

    /** Writes {@code chunks} chunks, then "crashes" in the middle of an upsert. */
    public static FaultyChunkStore crashingAfter(ChunkStore delegate, int chunks) {
        return new FaultyChunkStore(delegate, 0, chunks);
    }

    public int upsertCalls() {
        return upsertCalls.get();
    }

    @Override
    public void upsert(List<StoredChunk> chunks) {
        upsertCalls.incrementAndGet();
        if (failingUpserts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("store unavailable (simulated)");
        }
        int room = chunksBeforeCrash.get();
        if (chunks.size() > room) {
            delegate.upsert(chunks.subList(0, room));
            chunksBeforeCrash.set(0);
            throw new SimulatedCrash("crashed after writing " + room + " of " + chunks.size() + " chunks");
        }
        if (room != Integer.MAX_VALUE) chunksBeforeCrash.addAndGet(-chunks.size());
        delegate.upsert(chunks);
    }

    @Override public void deleteDocument(String documentId) { delegate.deleteDocument(documentId); }
    @Override public void deleteOtherVersions(String documentId, long keepVersion) { delegate.deleteOtherVersions(documentId, keepVersion); }
    @Override public OptionalLong documentVersion(String documentId) { return delegate.documentVersion(documentId); }
    @Override public List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter) { return delegate.search(queryVector, k, filter); }
    @Override public long count() { return delegate.count(); }
    @Override public int dimension() { return delegate.dimension(); }
    @Override public void close() { delegate.close(); }
}
