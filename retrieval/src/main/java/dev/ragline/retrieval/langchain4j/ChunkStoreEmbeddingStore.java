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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * LangChain4j's {@link EmbeddingStore} over any {@link ChunkStore}, so LangChain4j ingestors and retrievers can
 * write to and read from our stores.
 *
 * <p>Mapping: the embedding id is the chunk id (Qdrant needs UUIDs; the generated ids are). Segment metadata keys
 * {@code document_id}, {@code version}, {@code index}, {@code title}, {@code heading} fill the chunk fields of those
 * names (a segment without {@code document_id} is its own document); every other metadata entry becomes chunk
 * metadata as a string. Search results carry them back the same way. Scores are LangChain4j relevance scores,
 * {@code (cosine + 1) / 2}.
 *
 * <p>Filters: {@link IsEqualTo}, {@link IsIn} and {@link And} of them. Others are refused with
 * {@link UnsupportedOperationException}: the stores only do keyword matching.
 */
public final class ChunkStoreEmbeddingStore implements EmbeddingStore<TextSegment> {
    public static final String DOCUMENT_ID = MetadataFilter.DOCUMENT_ID;
    public static final String VERSION = "version";
    public static final String INDEX = "index";
    public static final String TITLE = "title";
    public static final String HEADING = "heading";
    private static final Set<String> CHUNK_FIELDS = Set.of(DOCUMENT_ID, VERSION, INDEX, TITLE, HEADING);

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

    /** Supported for {@code IsEqualTo("document_id", id)} only: the stores delete whole documents. */
    @Override
    public void removeAll(Filter filter) {
        if (filter instanceof IsEqualTo equal && DOCUMENT_ID.equals(equal.key())) {
            store.deleteDocument(String.valueOf(equal.comparisonValue()));
            return;
        }
        throw new UnsupportedOperationException("only removeAll(metadataKey(\"document_id\").isEqualTo(id)) is supported, got "
                + filter);
    }

    @Override
    public EmbeddingSearchResult<TextSegment> search(EmbeddingSearchRequest request) {
        MetadataFilter filter = request.filter() == null ? MetadataFilter.NONE : toMetadataFilter(request.filter());
        List<EmbeddingMatch<TextSegment>> matches = new ArrayList<>();
        for (SearchHit hit : store.search(request.queryEmbedding().vector(), request.maxResults(), filter)) {
            double relevance = RelevanceScore.fromCosineSimilarity(hit.score());
            if (relevance >= request.minScore())
                matches.add(new EmbeddingMatch<>(relevance, hit.chunk().id(), null, toSegment(hit.chunk())));
        }
        return new EmbeddingSearchResult<>(matches);
    }

    /** Translates the keyword subset of LangChain4j filters; refuses the rest with a message naming the filter. */
    public static MetadataFilter toMetadataFilter(Filter filter) {
        Map<String, Set<String>> anyOf = new HashMap<>();
        collect(filter, anyOf);
        Map<String, List<String>> lists = new HashMap<>();
        anyOf.forEach((key, values) -> lists.put(key, List.copyOf(values)));
        return new MetadataFilter(lists);
    }

    private static void collect(Filter filter, Map<String, Set<String>> anyOf) {
        switch (filter) {
            case And and -> {
                collect(and.left(), anyOf);
                collect(and.right(), anyOf);
            }
            case IsEqualTo equal -> restrict(anyOf, equal.key(), List.of(String.valueOf(equal.comparisonValue())));
            case IsIn in -> restrict(anyOf, in.key(), in.comparisonValues().stream().map(String::valueOf).toList());
            default -> throw new UnsupportedOperationException("filter " + filter.getClass().getSimpleName()
                    + " is not supported; use isEqualTo, isIn and and() on metadata keys (" + filter + ")");
        }
    }

    /** Two conditions on one key (a AND b) admit only the values both allow. */
    private static void restrict(Map<String, Set<String>> anyOf, String key, List<String> values) {
        if (CHUNK_FIELDS.contains(key) && !DOCUMENT_ID.equals(key))
            throw new UnsupportedOperationException("cannot filter on '" + key + "': it is a chunk field, not metadata");
        Set<String> allowed = anyOf.get(key);
        if (allowed == null) {
            anyOf.put(key, new LinkedHashSet<>(values));
        } else {
            allowed.retainAll(values);
            if (allowed.isEmpty())
                throw new IllegalArgumentException("filter conditions on '" + key + "' exclude each other");
        }
    }

    private static Chunk toChunk(String id, TextSegment segment) {
        if (segment == null) return new Chunk(id, id, 0, 0, "", "", "", 0, 0, Map.of());
        Metadata meta = segment.metadata();
        Map<String, String> metadata = new HashMap<>();
        meta.toMap().forEach((key, value) -> {
            if (!CHUNK_FIELDS.contains(key)) metadata.put(key, String.valueOf(value));
        });
        String documentId = meta.containsKey(DOCUMENT_ID) ? meta.getString(DOCUMENT_ID) : id;
        long version = meta.containsKey(VERSION) ? meta.getLong(VERSION) : 0;
        int index = meta.containsKey(INDEX) ? meta.getInteger(INDEX) : 0;
        String text = segment.text();
        return new Chunk(id, documentId, version, index, text, meta.getString(TITLE), meta.getString(HEADING),
                0, text.length(), metadata);
    }

    static TextSegment toSegment(Chunk chunk) {
        Metadata meta = new Metadata();
        chunk.metadata().forEach(meta::put);
        meta.put(DOCUMENT_ID, chunk.documentId());
        meta.put(VERSION, chunk.version());
        meta.put(INDEX, chunk.index());
        if (!chunk.title().isEmpty()) meta.put(TITLE, chunk.title());
        if (!chunk.heading().isEmpty()) meta.put(HEADING, chunk.heading());
        // LangChain4j refuses blank segment text; a chunk stored without text (embedding only) has none.
        return chunk.text().isBlank() ? null : TextSegment.from(chunk.text(), meta);
    }
}
