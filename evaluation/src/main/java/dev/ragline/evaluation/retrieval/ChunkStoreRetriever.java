package dev.ragline.evaluation.retrieval;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.Reranker;

import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a real {@link ChunkStore} (Lucene HNSW, Qdrant) instead of exact search: each document is stored as
 * one chunk whose document id is the BEIR document id, and hits map back to document ids. Searches in one
 * {@link SearchMode}: dense (the query vector), keyword (BM25 on the query text) or hybrid.
 */
public final class ChunkStoreRetriever implements Retriever {
    private final ChunkStore store;
    private final SearchMode mode;
    private final Reranker reranker;

    public ChunkStoreRetriever(ChunkStore store) {
        this(store, SearchMode.DENSE);
    }

    public ChunkStoreRetriever(ChunkStore store, SearchMode mode) {
        this(store, mode, null);
    }

    private ChunkStoreRetriever(ChunkStore store, SearchMode mode, Reranker reranker) {
        this.store = store;
        this.mode = mode;
        this.reranker = reranker;
    }

    /** Writes one chunk per document (version 1, position 0) in batches, then returns a retriever over the store. */
    public static ChunkStoreRetriever index(ChunkStore store, List<String> ids, List<String> texts, List<float[]> vectors) {
        if (ids.size() != vectors.size() || ids.size() != texts.size())
            throw new IllegalArgumentException("ids, texts and vectors differ in length");
        List<StoredChunk> batch = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String text = texts.get(i);
            Chunk chunk = new Chunk(Chunk.idFor(id, 1, 0), id, 1, 0, text, "", "", 0, text.length(), null);
            batch.add(new StoredChunk(chunk, vectors.get(i)));
            if (batch.size() == 512) {
                store.upsert(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) store.upsert(batch);
        return new ChunkStoreRetriever(store);
    }

    /** The same store searched in another mode. */
    public ChunkStoreRetriever withMode(SearchMode mode) {
        return new ChunkStoreRetriever(store, mode, reranker);
    }

    /** The same search followed by the reranking stage (which needs the query text). */
    public ChunkStoreRetriever withReranker(Reranker value) {
        return new ChunkStoreRetriever(store, mode, value);
    }

    @Override
    public List<String> search(float[] queryVector, int k) {
        if (mode != SearchMode.DENSE || reranker != null)
            throw new IllegalStateException(mode.wireName() + " search" + (reranker != null ? " with reranking" : "")
                    + " needs the query text");
        return store.search(queryVector, k, MetadataFilter.NONE).stream()
                .map(SearchHit::chunk).map(Chunk::documentId).distinct().toList();
    }

    @Override
    public List<String> search(String queryText, float[] queryVector, int k) {
        SearchQuery query = new SearchQuery(queryText, mode.usesVector() ? queryVector : null, k, MetadataFilter.NONE, mode);
        return (reranker != null ? reranker.search(store, query) : store.search(query)).stream().map(SearchHit::chunk).map(Chunk::documentId).distinct().toList();
    }
}
