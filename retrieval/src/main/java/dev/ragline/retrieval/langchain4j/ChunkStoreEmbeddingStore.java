package dev.ragline.retrieval.langchain4j;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.comparison.IsEqualTo;
import dev.langchain4j.store.embedding.filter.comparison.IsIn;
import dev.langchain4j.store.embedding.filter.logical.And;
import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.ChunkAccess;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * LangChain4j's {@link EmbeddingStore} over any {@link ChunkStore}, so LangChain4j ingestors and retrievers can
 * write to and read from our stores. Passes LangChain4j's own conformance suites ({@code EmbeddingStoreIT},
 * {@code EmbeddingStoreWithFilteringIT}, {@code EmbeddingStoreWithRemovalIT}) over both real stores.
 *
 * <p>Mapping: the embedding id is the chunk id (Qdrant needs UUIDs; the generated ids are). Every segment metadata
 * entry is kept as chunk metadata (as its string form, so filters run in the store), and the value types are
 * recorded in the hidden metadata key {@value #TYPES_KEY}, so a segment written here comes back with exactly its
 * own metadata and value types. Entries named {@code document_id} (string), {@code version}, {@code index} (integer
 * or long), {@code title}, {@code heading} (string) also fill the chunk fields of those names; a segment without
 * {@code document_id} is its own document. Chunks written by ingestion (no type record) come back with their
 * metadata plus {@code document_id}, {@code version}, {@code index}, {@code title}, {@code heading}. Scores are
 * LangChain4j relevance scores, {@code (cosine + 1) / 2}; matches carry their stored embedding.
 *
 * <p>Filters: equality, {@code isIn} and {@code and} of them on string or UUID values run inside the store's vector
 * search (pre-filtering). Every other LangChain4j filter (ranges, {@code not}, {@code or}, numbers, contains) is
 * evaluated here with LangChain4j's own {@link Filter#test} over an exhaustive search of the store: exact, but its
 * cost grows with the store's size (fine for thousands of chunks, not for millions).
 */
public final class ChunkStoreEmbeddingStore implements EmbeddingStore<TextSegment> {
    public static final String DOCUMENT_ID = MetadataFilter.DOCUMENT_ID;
    public static final String VERSION = "version";
    public static final String INDEX = "index";
    public static final String TITLE = "title";
    public static final String HEADING = "heading";
    /** Hidden chunk-metadata key recording the LangChain4j value type of every metadata entry. */
    public static final String TYPES_KEY = "_lc4j_types";
    private static final Set<String> CHUNK_FIELDS = Set.of(DOCUMENT_ID, VERSION, INDEX, TITLE, HEADING);
    private static final char ENTRY = '\u001e';
    private static final char TYPE = '\u001f';

    private final ChunkStore store;

    public ChunkStoreEmbeddingStore(ChunkStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public String add(Embedding embedding) {
        return add(embedding, null);
    }

    @Override
    public void add(String id, Embedding embedding) {
        addAll(List.of(id), List.of(embedding), null);
    }

    @Override
    public String add(Embedding embedding, TextSegment segment) {
        String id = generateIds(1).getFirst();
        addAll(List.of(id), List.of(embedding), segment == null ? null : List.of(segment));
        return id;
    }

    @Override
    public List<String> addAll(List<Embedding> embeddings) {
        List<String> ids = generateIds(embeddings.size());
        addAll(ids, embeddings, null);
        return ids;
    }

    @Override
    public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> segments) {
        if (ids.size() != embeddings.size() || (segments != null && segments.size() != ids.size()))
            throw new IllegalArgumentException("ids, embeddings and segments must have the same size");
        List<StoredChunk> chunks = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            TextSegment segment = segments == null ? null : segments.get(i);
            chunks.add(new StoredChunk(toChunk(ids.get(i), segment), embeddings.get(i).vector()));
        }
        store.upsert(chunks);
    }

    @Override
    public void removeAll(Collection<String> ids) {
        if (ids == null || ids.isEmpty()) return;
        access().deleteChunks(ids);
    }

    /** {@code document_id} equality deletes the document; any other filter deletes the chunks it admits. */
    @Override
    public void removeAll(Filter filter) {
        if (filter == null) throw new IllegalArgumentException("filter cannot be null");
        if (filter instanceof IsEqualTo equal && DOCUMENT_ID.equals(equal.key())
                && equal.comparisonValue() instanceof String documentId) {
            store.deleteDocument(documentId);
            return;
        }
        float[] any = new float[store.dimension()];
        any[0] = 1;
        List<String> ids = new ArrayList<>();
        for (SearchHit hit : exhaustive(any, filter)) ids.add(hit.chunk().id());
        removeAll(ids);
    }

    @Override
    public void removeAll() {
        access().deleteAll();
    }

    private ChunkAccess access() {
        if (store instanceof ChunkAccess access) return access;
        throw new UnsupportedOperationException(store.getClass().getSimpleName()
                + " cannot remove chunks by id; only removeAll(metadataKey(\"document_id\").isEqualTo(id)) is supported");
    }

    @Override
    public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
        Filter filter = request.filter();
        Optional<MetadataFilter> pushed = filter == null ? Optional.of(MetadataFilter.NONE) : pushDown(filter);
        float[] query = request.queryEmbedding().vector();
        List<SearchHit> hits = pushed.isPresent()
                ? store.search(query, request.maxResults(), pushed.get())
                : exhaustive(query, filter);
        List<SearchHit> kept = new ArrayList<>();
        for (SearchHit hit : hits) {
            if (kept.size() == request.maxResults()) break;
            if (RelevanceScore.fromCosineSimilarity(hit.score()) >= request.minScore()) kept.add(hit);
        }
        Map<String, float[]> vectors = store instanceof ChunkAccess access
                ? access.vectors(kept.stream().map(h -> h.chunk().id()).toList()) : Map.of();
        List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>(kept.size());
        for (SearchHit hit : kept) {
            float[] vector = vectors.get(hit.chunk().id());
            matches.add(new EmbeddingMatch<>(RelevanceScore.fromCosineSimilarity(hit.score()), hit.chunk().id(),
                    vector == null ? null : Embedding.from(vector), toSegment(hit.chunk())));
        }
        return new EmbeddingSearchResult<>(matches);
    }

    /** Every chunk the filter admits, best first: the whole store ranked, then LangChain4j's own filter semantics. */
    private List<SearchHit> exhaustive(float[] query, Filter filter) {
        int all = (int) Math.min(Integer.MAX_VALUE - 1, Math.max(1, store.count()));
        List<SearchHit> admitted = new ArrayList<>();
        for (SearchHit hit : store.search(query, all, MetadataFilter.NONE))
            if (filter.test(metadataOf(hit.chunk()))) admitted.add(hit);
        return admitted;
    }

    /**
     * The filter as a store pre-filter when that is exact: {@link IsEqualTo}, {@link IsIn} and {@link And} of them on
     * string or UUID values of keys that are not chunk-field names (their string forms are what the store indexes).
     * Empty otherwise (the adapter then evaluates it).
     */
    static Optional<MetadataFilter> pushDown(Filter filter) {
        Map<String, Set<String>> anyOf = new LinkedHashMap<>();
        if (!collect(filter, anyOf)) return Optional.empty();
        Map<String, List<String>> lists = new LinkedHashMap<>();
        for (var entry : anyOf.entrySet()) {
            // Conditions that exclude each other admit nothing; the adapter's own evaluation says so exactly.
            if (entry.getValue().isEmpty()) return Optional.empty();
            lists.put(entry.getKey(), List.copyOf(entry.getValue()));
        }
        return Optional.of(new MetadataFilter(lists));
    }

    private static boolean collect(Filter filter, Map<String, Set<String>> anyOf) {
        return switch (filter) {
            case And and -> collect(and.left(), anyOf) && collect(and.right(), anyOf);
            case IsEqualTo equal -> keyword(equal.key(), equal.comparisonValue()) && restrict(anyOf, equal.key(),
                    List.of(String.valueOf(equal.comparisonValue())));
            case IsIn in -> in.comparisonValues().stream().allMatch(v -> keyword(in.key(), v))
                    && restrict(anyOf, in.key(), in.comparisonValues().stream().map(String::valueOf).toList());
            default -> false;
        };
    }

    private static boolean keyword(String key, Object value) {
        return (value instanceof String || value instanceof UUID) && (DOCUMENT_ID.equals(key) || !CHUNK_FIELDS.contains(key));
    }

    /** Two conditions on one key (a AND b) admit only the values both allow. */
    private static boolean restrict(Map<String, Set<String>> anyOf, String key, List<String> values) {
        Set<String> allowed = anyOf.get(key);
        if (allowed == null) anyOf.put(key, new LinkedHashSet<>(values));
        else allowed.retainAll(values);
        return true;
    }

    private static Chunk toChunk(String id, TextSegment segment) {
        if (segment == null) return new Chunk(id, id, 0, 0, "", "", "", 0, 0, Map.of());
        Map<String, Object> meta = segment.metadata().toMap();
        Map<String, String> metadata = new HashMap<>();
        StringBuilder types = new StringBuilder();
        meta.forEach((key, value) -> {
            if (TYPES_KEY.equals(key)) throw new IllegalArgumentException("metadata key " + TYPES_KEY + " is reserved");
            metadata.put(key, String.valueOf(value));
            if (!types.isEmpty()) types.append(ENTRY);
            types.append(key).append(TYPE).append(value.getClass().getSimpleName());
        });
        metadata.put(TYPES_KEY, types.toString());
        String documentId = meta.get(DOCUMENT_ID) instanceof String d ? d : id;
        long version = meta.get(VERSION) instanceof Integer || meta.get(VERSION) instanceof Long
                ? ((Number) meta.get(VERSION)).longValue() : 0;
        int index = meta.get(INDEX) instanceof Integer i ? i : 0;
        String text = segment.text();
        return new Chunk(id, documentId, version, index, text, meta.get(TITLE) instanceof String t ? t : "",
                meta.get(HEADING) instanceof String h ? h : "", 0, text.length(), metadata);
    }

    /** The segment's metadata as written through this adapter (typed), or an ingested chunk's fields and metadata. */
    static Metadata metadataOf(Chunk chunk) {
        String types = chunk.metadata().get(TYPES_KEY);
        Metadata meta = new Metadata();
        if (types == null) {
            chunk.metadata().forEach(meta::put);
            meta.put(DOCUMENT_ID, chunk.documentId());
            meta.put(VERSION, chunk.version());
            meta.put(INDEX, chunk.index());
            if (!chunk.title().isEmpty()) meta.put(TITLE, chunk.title());
            if (!chunk.heading().isEmpty()) meta.put(HEADING, chunk.heading());
            return meta;
        }
        if (types.isEmpty()) return meta;
        for (String entry : types.split(String.valueOf(ENTRY))) {
            int cut = entry.lastIndexOf(TYPE);
            String key = entry.substring(0, cut);
            String value = chunk.metadata().get(key);
            if (value == null) continue;
            switch (entry.substring(cut + 1)) {
                case "Integer" -> meta.put(key, Integer.parseInt(value));
                case "Long" -> meta.put(key, Long.parseLong(value));
                case "Float" -> meta.put(key, Float.parseFloat(value));
                case "Double" -> meta.put(key, Double.parseDouble(value));
                case "UUID" -> meta.put(key, UUID.fromString(value));
                default -> meta.put(key, value);
            }
        }
        return meta;
    }

    static TextSegment toSegment(Chunk chunk) {
        // LangChain4j refuses blank segment text; a chunk stored without text (embedding only) has none.
        return chunk.text().isBlank() ? null : TextSegment.from(chunk.text(), metadataOf(chunk));
    }
}
