package dev.ragline.ingestion;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.Tenant;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that fails on purpose, in front of a real one: for tests of retries, classification and bisection. */
public final class FaultyChunkStore implements ChunkStore {
    private final ChunkStore delegate;
    private final AtomicInteger failingWrites;
    private final String rejectedDocument;
    private final String transientlyFailingDocument;
    private final AtomicInteger writeCalls = new AtomicInteger();
    private volatile boolean down;

    private FaultyChunkStore(ChunkStore delegate, int failingWrites, String rejectedDocument, String transientlyFailingDocument) {
        this.delegate = delegate;
        this.failingWrites = new AtomicInteger(failingWrites);
        this.rejectedDocument = rejectedDocument;
        this.transientlyFailingDocument = transientlyFailingDocument;
    }

    /** The first {@code count} writes fail as if the server were unreachable (transient). */
    public static FaultyChunkStore failingFirstWrites(ChunkStore delegate, int count) {
        return new FaultyChunkStore(delegate, count, null, null);
    }

    /** Every write that includes {@code documentId} (of the default tenant) is refused as invalid (permanent, like Qdrant's INVALID_ARGUMENT). */
    public static FaultyChunkStore rejecting(ChunkStore delegate, String documentId) {
        return new FaultyChunkStore(delegate, 0, Tenant.DEFAULT.qualify(documentId), null);
    }

    /** Every write that includes {@code documentId} (of the default tenant) fails with an I/O error, while the store otherwise answers. */
    public static FaultyChunkStore failingTransientlyFor(ChunkStore delegate, String documentId) {
        return new FaultyChunkStore(delegate, 0, null, Tenant.DEFAULT.qualify(documentId));
    }

    /** Switches a complete outage on or off: every call fails while down. */
    public FaultyChunkStore down(boolean down) {
        this.down = down;
        return this;
    }

    public int writeCalls() {
        return writeCalls.get();
    }

    private void checkUp() {
        if (down) throw new UncheckedIOException(new IOException("store unreachable (simulated outage)"));
    }

    @Override
    public void write(List<DocumentWrite> writes) {
        write(writes, Map.of());
    }

    @Override
    public Map<String, Long> sourcePositions(Collection<String> sources) {
        checkUp();
        return delegate.sourcePositions(sources);
    }

    @Override
    public void write(List<DocumentWrite> writes, Map<String, Long> positions) {
        writeCalls.incrementAndGet();
        checkUp();
        if (failingWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
            throw new UncheckedIOException(new IOException("store unavailable (simulated)"));
        if (writes.stream().anyMatch(w -> w.documentId().equals(rejectedDocument)))
            throw new IllegalArgumentException("INVALID_ARGUMENT: payload of " + rejectedDocument + " refused (simulated)");
        if (writes.stream().anyMatch(w -> w.documentId().equals(transientlyFailingDocument)))
            throw new UncheckedIOException(new IOException("timeout writing " + transientlyFailingDocument + " (simulated)"));
        delegate.write(writes, positions);
    }

    @Override
    public Map<String, DocumentState> documentStates(Collection<String> documentIds) {
        checkUp();
        return delegate.documentStates(documentIds);
    }

    @Override public void upsert(List<StoredChunk> chunks) { checkUp(); delegate.upsert(chunks); }
    @Override public void deleteDocument(String documentId) { checkUp(); delegate.deleteDocument(documentId); }
    @Override public void deleteOtherVersions(String documentId, long keepVersion) { checkUp(); delegate.deleteOtherVersions(documentId, keepVersion); }
    @Override public OptionalLong documentVersion(String documentId) { checkUp(); return delegate.documentVersion(documentId); }
    @Override public List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter) { return delegate.search(queryVector, k, filter); }
    @Override public long count() { return delegate.count(); }
    @Override public int dimension() { return delegate.dimension(); }
    @Override public void close() { delegate.close(); }
}
