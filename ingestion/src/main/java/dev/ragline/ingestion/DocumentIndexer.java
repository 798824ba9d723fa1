package dev.ragline.ingestion;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.Encoder;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Tenant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/**
 * The pipeline step from event to store: parse, split, embed, write. Documents are stored under their
 * tenant-qualified id ({@link DocumentEvent#storeId}) with the tenant in their metadata; chunk ids are derived from
 * that id, version and position, and every write is a versioned {@link DocumentWrite}, so a redelivered or replayed event
 * changes nothing.
 *
 * <p>Rules per document, applied in event order against what the store holds ({@link DocumentState}):
 * <ul>
 * <li>an upsert older than the stored version, or not newer than the document's deletion marker, is skipped
 * (a replay never regresses a document and never brings a deleted one back);</li>
 * <li>an upsert of a newer version replaces the document in one store write (new chunks in, lower versions out);</li>
 * <li>an upsert of the stored version whose chunks are all there already is recognised and not embedded again
 * (a redelivery after a crash or rebalance); otherwise it is written again;</li>
 * <li>a delete removes the chunks and leaves a deletion marker at the delete's version: the
 * {@value DocumentEvent#VERSION_HEADER} header of the tombstone, or else the highest version known for the document
 * (stored, or earlier in the batch; 0 when none). A stale delete (older than the stored version) is skipped.</li>
 * </ul>
 * Only the net effect of a batch's events per document is written, in one {@link ChunkStore#write} call.
 *
 * <p>Phases, so that the consumer can tell event failures from system failures and fence its writes:
 * {@link #prepare} (decode, check, parse, split: no I/O, any failure is the event's own and permanent),
 * {@link #plan} (reads the store), {@link #embed} (the encoder, the slow part, cancellable between encoder calls)
 * and {@link #write} (one store call).
 */
public final class DocumentIndexer {
    public static final int DEFAULT_EMBED_BATCH_SIZE = 32;

    private final Encoder encoder;
    private final ChunkStore store;
    private final TokenAwareSplitter splitter;
    private final int embedBatchSize;
    private final IngestionLimits limits;

    public DocumentIndexer(Encoder encoder, ChunkStore store, TokenAwareSplitter splitter) {
        this(encoder, store, splitter, DEFAULT_EMBED_BATCH_SIZE);
    }

    /** @param embedBatchSize passages per {@link Encoder#embedPassages} call (across documents) */
    public DocumentIndexer(Encoder encoder, ChunkStore store, TokenAwareSplitter splitter, int embedBatchSize) {
        this(encoder, store, splitter, embedBatchSize, IngestionLimits.DEFAULTS);
    }

    public DocumentIndexer(Encoder encoder, ChunkStore store, TokenAwareSplitter splitter, int embedBatchSize,
                           IngestionLimits limits) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.store = Objects.requireNonNull(store, "store");
        this.splitter = Objects.requireNonNull(splitter, "splitter");
        this.limits = Objects.requireNonNull(limits, "limits");
        if (embedBatchSize < 1) throw new IllegalArgumentException("embed batch size must be >= 1");
        if (encoder.dimension() != store.dimension()) {
            throw new IllegalArgumentException("encoder " + encoder.modelId() + " makes " + encoder.dimension()
                    + "-dimensional vectors but the store holds " + store.dimension());
        }
        this.embedBatchSize = embedBatchSize;
    }

    public IngestionLimits limits() {
        return limits;
    }

    public ChunkStore store() {
        return store;
    }

    /** An event parsed and split, ready to embed and store. Chunks are empty for a delete. */
    public record PreparedEvent(DocumentEvent event, List<Chunk> chunks, int tokens) {
        public PreparedEvent {
            chunks = List.copyOf(chunks);
        }

        public PreparedEvent(DocumentEvent event, List<Chunk> chunks) {
            this(event, chunks, 0);
        }
    }

    /**
     * What {@link #apply} did, counted per event (events superseded later in the same batch included).
     *
     * @param unchanged upserts whose version was stored completely already: nothing embedded, nothing written
     */
    public record Result(int indexed, int deleted, int skipped, int unchanged, int chunksWritten) {
        public static final Result EMPTY = new Result(0, 0, 0, 0, 0);

        public Result plus(Result other) {
            return new Result(indexed + other.indexed, deleted + other.deleted, skipped + other.skipped,
                    unchanged + other.unchanged, chunksWritten + other.chunksWritten);
        }
    }

    /** Decodes, checks and prepares one record of the default tenant. */
    public PreparedEvent prepare(String key, byte[] value, String deleteVersion) {
        return prepare(key, value, deleteVersion, Tenant.DEFAULT);
    }

    /** Decodes, checks and prepares one record: what the consumer does per record, and the HTTP publisher per post. */
    public PreparedEvent prepare(String key, byte[] value, String deleteVersion, Tenant tenant) {
        return prepare(DocumentEvent.decode(key, value, deleteVersion, tenant, limits));
    }

    /**
     * Parses and splits an event. Touches neither encoder nor store. Any failure, {@link Error}s such as a
     * {@link StackOverflowError} included, is the event's own and comes out as an {@link InvalidEventException}.
     *
     * @throws InvalidEventException when the document cannot be indexed, with the reason
     */
    public PreparedEvent prepare(DocumentEvent event) {
        try {
            return prepareChecked(event);
        } catch (InvalidEventException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new EventTooLargeException("parsing the document ran out of memory: " + e.getMessage());
        } catch (Throwable t) {
            throw new InvalidEventException("parsing or splitting the document failed: " + t, t);
        }
    }

    private PreparedEvent prepareChecked(DocumentEvent event) {
        if (event.isDelete()) return new PreparedEvent(event, List.of(), 0);
        ParsedDocument parsed = ParsedDocument.parse(event.contentType(), event.text(), limits.maxNestingDepth());
        if (parsed.isBlank() || parsed.sections().isEmpty()) {
            throw new InvalidEventException("document has no text after parsing it as " + event.contentType().mediaType());
        }
        String title = event.title().isBlank() ? parsed.title() : event.title();
        Map<String, String> metadata = new HashMap<>(event.metadata());
        metadata.put(Tenant.METADATA_KEY, event.tenant().name());
        List<Chunk> chunks = splitter.split(event.storeId(), event.version(), title, metadata, parsed);
        if (chunks.isEmpty()) throw new InvalidEventException("document produced no chunks");
        if (chunks.size() > limits.maxChunksPerEvent())
            throw new EventTooLargeException("document splits into " + chunks.size() + " chunks, over the limit of "
                    + limits.maxChunksPerEvent() + " (ragline.ingestion.max-chunks-per-event)");
        // An upper bound of what the encoder will see: every chunk is at most maxTokens encoder tokens.
        return new PreparedEvent(event, chunks, chunks.size() * splitter.maxTokens());
    }

    /** Prepares and applies one event. */
    public Result index(DocumentEvent event) {
        return apply(List.of(prepare(event)));
    }

    /** Plans, embeds and writes prepared events (see the class comment). Safe to repeat after a failure. */
    public Result apply(List<PreparedEvent> events) {
        Plan plan = plan(events);
        write(embed(plan, () -> false, new HashMap<>()));
        return plan.result(plan.chunksToEmbed());
    }

    /** One document's net effect in a batch. */
    private record Step(String documentId, long version, List<Chunk> toEmbed, boolean delete) {
    }

    /** The writes a batch needs, before embedding; {@link #result} says what it did once written. */
    public static final class Plan {
        private final List<Step> steps;
        private final int indexed, deleted, skipped, unchanged;

        private Plan(List<Step> steps, int indexed, int deleted, int skipped, int unchanged) {
            this.steps = steps;
            this.indexed = indexed;
            this.deleted = deleted;
            this.skipped = skipped;
            this.unchanged = unchanged;
        }

        public int chunksToEmbed() {
            return steps.stream().mapToInt(s -> s.toEmbed().size()).sum();
        }

        public Result result(int chunksWritten) {
            return new Result(indexed, deleted, skipped, unchanged, chunksWritten);
        }
    }

    /** Reduces the events to one write per document, against the states the store holds. */
    public Plan plan(List<PreparedEvent> events) {
        Map<String, List<PreparedEvent>> byDocument = new LinkedHashMap<>();
        for (PreparedEvent e : events) byDocument.computeIfAbsent(e.event().storeId(), id -> new ArrayList<>()).add(e);
        Map<String, DocumentState> states = byDocument.isEmpty() ? Map.of() : store.documentStates(byDocument.keySet());

        int indexed = 0, deleted = 0, skipped = 0, unchanged = 0;
        List<Step> steps = new ArrayList<>();
        for (var entry : byDocument.entrySet()) {
            DocumentState state = states.getOrDefault(entry.getKey(), DocumentState.ABSENT);
            OptionalLong live = state.liveVersion();
            long marker = state.deletedVersion().orElse(Long.MIN_VALUE);
            PreparedEvent last = null; // the net effect: the last event that was not skipped
            long lastDeleteVersion = 0;
            for (PreparedEvent e : entry.getValue()) {
                DocumentEvent event = e.event();
                if (event.isDelete()) {
                    long version = event.hasKnownVersion() ? event.version()
                            : Math.max(0, Math.max(live.orElse(0), marker));
                    if (live.isPresent() && version < live.getAsLong()) {
                        skipped++;
                        continue;
                    }
                    deleted++;
                    marker = Math.max(marker, version);
                    live = OptionalLong.empty();
                    last = e;
                    lastDeleteVersion = marker;
                } else if (live.isPresent() && event.version() < live.getAsLong() || event.version() <= marker) {
                    skipped++;
                } else {
                    indexed++;
                    live = OptionalLong.of(event.version());
                    last = e;
                }
            }
            if (last == null) continue;
            String id = entry.getKey();
            if (last.event().isDelete()) {
                boolean alreadyDeleted = state.liveVersion().isEmpty()
                        && state.deletedVersion().orElse(Long.MIN_VALUE) >= lastDeleteVersion;
                if (!alreadyDeleted) steps.add(new Step(id, lastDeleteVersion, List.of(), true));
                continue;
            }
            long version = last.event().version();
            int n = last.chunks().size();
            if (state.holdsExactly(version, n)) {
                unchanged++;
                indexed--;
            } else if (Integer.valueOf(n).equals(state.chunksPerVersion().get(version))
                    && state.liveVersion().orElse(-1) == version) {
                steps.add(new Step(id, version, List.of(), false)); // stored completely; only older versions to drop
                unchanged++;
                indexed--;
            } else {
                steps.add(new Step(id, version, last.chunks(), false));
            }
        }
        return new Plan(steps, indexed, deleted, skipped, unchanged);
    }

    /**
     * Embeds what the plan needs, in encoder batches; stops early (returns null) when {@code cancelled} turns true
     * between two encoder calls. {@code cache} keeps vectors by chunk id across retries of the same batch.
     */
    public List<DocumentWrite> embed(Plan plan, BooleanSupplier cancelled, Map<String, float[]> cache) {
        List<Chunk> chunks = plan.steps.stream().flatMap(s -> s.toEmbed().stream())
                .filter(c -> !cache.containsKey(c.id())).toList();
        for (int from = 0; from < chunks.size(); from += embedBatchSize) {
            if (cancelled.getAsBoolean()) return null;
            List<Chunk> batch = chunks.subList(from, Math.min(chunks.size(), from + embedBatchSize));
            List<float[]> vectors = encoder.embedPassages(batch.stream().map(Chunk::text).toList());
            if (vectors.size() != batch.size()) {
                throw new IllegalStateException("encoder returned " + vectors.size() + " vectors for " + batch.size() + " passages");
            }
            for (int i = 0; i < batch.size(); i++) cache.put(batch.get(i).id(), vectors.get(i));
        }
        List<DocumentWrite> writes = new ArrayList<>(plan.steps.size());
        for (Step step : plan.steps) {
            if (step.delete()) {
                writes.add(new DocumentWrite.Delete(step.documentId(), step.version()));
            } else {
                List<StoredChunk> stored = step.toEmbed().stream().map(c -> new StoredChunk(c, cache.get(c.id()))).toList();
                writes.add(new DocumentWrite.Replace(step.documentId(), step.version(), stored));
            }
        }
        return writes;
    }

    /** Writes the batch in one store call. */
    public void write(List<DocumentWrite> writes) {
        write(writes, Map.of());
    }

    /** Writes the batch and, in the same store call, the source positions it reaches (see {@link ChunkStore#write(List, Map)}). */
    public void write(List<DocumentWrite> writes, Map<String, Long> positions) {
        if (!writes.isEmpty() || !positions.isEmpty()) store.write(writes, positions);
    }
}
