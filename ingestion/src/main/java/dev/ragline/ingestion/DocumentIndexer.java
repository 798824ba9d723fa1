package dev.ragline.ingestion;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.core.StoredChunk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The pipeline step from event to store: parse, split, embed, write. Every write is idempotent (chunk ids
 * are derived from document id, version and position), so a redelivered or replayed event changes nothing.
 *
 * <p>Rules per document, applied in event order: an upsert whose version is older than the stored one is
 * skipped (a replay never regresses a document); an upsert of a newer version writes its chunks and then
 * removes every other version's chunks; an upsert of the stored version replaces the stored chunks
 * (a redelivery, or the rest of a write that was cut short); a delete removes all chunks.
 *
 * <p>Two phases, so that the consumer can tell permanent from transient failures: {@link #prepare} (parse and
 * split, no I/O: failures are permanent) and {@link #apply} (encoder and store: failures are transient).
 */
public final class DocumentIndexer {
    public static final int DEFAULT_EMBED_BATCH_SIZE = 32;

    private final Encoder encoder;
    private final ChunkStore store;
    private final TokenAwareSplitter splitter;
    private final int embedBatchSize;

    public DocumentIndexer(Encoder encoder, ChunkStore store, TokenAwareSplitter splitter) {
        this(encoder, store, splitter, DEFAULT_EMBED_BATCH_SIZE);
    }

    /** @param embedBatchSize passages per {@link Encoder#embedPassages} call (across documents) */
    public DocumentIndexer(Encoder encoder, ChunkStore store, TokenAwareSplitter splitter, int embedBatchSize) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.store = Objects.requireNonNull(store, "store");
        this.splitter = Objects.requireNonNull(splitter, "splitter");
        if (embedBatchSize < 1) throw new IllegalArgumentException("embed batch size must be >= 1");
        if (encoder.dimension() != store.dimension()) {
            throw new IllegalArgumentException("encoder " + encoder.modelId() + " makes " + encoder.dimension()
                    + "-dimensional vectors but the store holds " + store.dimension());
        }
        this.embedBatchSize = embedBatchSize;
    }

    /** An event parsed and split, ready to embed and store. Chunks are empty for a delete. */
    public record PreparedEvent(DocumentEvent event, List<Chunk> chunks) {
        public PreparedEvent {
            chunks = List.copyOf(chunks);
        }
    }

    /** What {@link #apply} did, counted per event (events superseded later in the same batch included). */
    public record Result(int indexed, int deleted, int skipped, int chunksWritten) {
        public static final Result EMPTY = new Result(0, 0, 0, 0);

        public Result plus(Result other) {
            return new Result(indexed + other.indexed, deleted + other.deleted, skipped + other.skipped,
                    chunksWritten + other.chunksWritten);
        }
    }

    /**
     * Parses and splits an event. Touches neither encoder nor store.
     *
     * @throws InvalidEventException when the document has no text to index after parsing
     */
    public PreparedEvent prepare(DocumentEvent event) {
        if (event.isDelete()) return new PreparedEvent(event, List.of());
        ParsedDocument parsed = ParsedDocument.parse(event.contentType(), event.text());
        if (parsed.isBlank() || parsed.sections().isEmpty()) {
            throw new InvalidEventException("document has no text after parsing it as " + event.contentType().mediaType());
        }
        String title = event.title().isBlank() ? parsed.title() : event.title();
        List<Chunk> chunks = splitter.split(event.id(), event.version(), title, event.metadata(), parsed);
        if (chunks.isEmpty()) throw new InvalidEventException("document produced no chunks");
        return new PreparedEvent(event, chunks);
    }

    /** Prepares and applies one event. */
    public Result index(DocumentEvent event) {
        return apply(List.of(prepare(event)));
    }

    /**
     * Applies prepared events in order. Events of the same document are reduced to the net effect of
     * applying them one after another; then chunks of all documents are embedded in batches and written.
     * Safe to repeat after a failure: each step is idempotent.
     */
    public Result apply(List<PreparedEvent> events) {
        Map<String, List<PreparedEvent>> byDocument = new LinkedHashMap<>();
        for (PreparedEvent e : events) byDocument.computeIfAbsent(e.event().id(), id -> new ArrayList<>()).add(e);

        int indexed = 0, deleted = 0, skipped = 0;
        List<String> deletes = new ArrayList<>();
        List<PreparedEvent> upserts = new ArrayList<>();
        List<PreparedEvent> replacingOtherVersions = new ArrayList<>();
        for (var entry : byDocument.entrySet()) {
            OptionalLong stored = store.documentVersion(entry.getKey());
            OptionalLong current = stored;
            PreparedEvent last = null; // the net effect: the last event that was not skipped
            for (PreparedEvent e : entry.getValue()) {
                if (e.event().isDelete()) {
                    deleted++;
                    current = OptionalLong.empty();
                    last = e;
                } else if (current.isPresent() && e.event().version() < current.getAsLong()) {
                    skipped++;
                } else {
                    indexed++;
                    current = OptionalLong.of(e.event().version());
                    last = e;
                }
            }
            if (last == null || stored.isEmpty() && last.event().isDelete()) continue;
            if (last.event().isDelete()) {
                deletes.add(entry.getKey());
            } else {
                upserts.add(last);
                if (stored.isPresent() && stored.getAsLong() == last.event().version()) {
                    // Same version again: its chunk count may differ from what a cut-short write left behind.
                    deletes.add(entry.getKey());
                } else if (stored.isPresent()) {
                    replacingOtherVersions.add(last);
                }
            }
        }

        List<Chunk> chunks = upserts.stream().flatMap(e -> e.chunks().stream()).toList();
        List<StoredChunk> embedded = new ArrayList<>(chunks.size());
        for (int from = 0; from < chunks.size(); from += embedBatchSize) {
            List<Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + embedBatchSize));
            List<float[]> vectors = encoder.embedPassages(batch.stream().map(Chunk::text).toList());
            if (vectors.size() != batch.size()) {
                throw new IllegalStateException("encoder returned " + vectors.size() + " vectors for " + batch.size() + " passages");
            }
            for (int i = 0; i < batch.size(); i++) embedded.add(new StoredChunk(batch.get(i), vectors.get(i)));
        }
        // Deletes only after embedding (the slow part), so a redelivered document is gone from search for the
        // time of one write, not of its embedding.
        deletes.forEach(store::deleteDocument);
        if (!embedded.isEmpty()) store.upsert(embedded);
        for (PreparedEvent e : replacingOtherVersions) store.deleteOtherVersions(e.event().id(), e.event().version());
        return new Result(indexed, deleted, skipped, embedded.size());
    }
}
