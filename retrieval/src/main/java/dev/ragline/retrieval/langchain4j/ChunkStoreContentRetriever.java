package dev.ragline.retrieval.langchain4j;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import dev.langchain4j.store.embedding.RelevanceScore;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.Encoder;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.retrieval.Reranker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LangChain4j {@link ContentRetriever} over our encoder and store, in a {@link SearchMode}: dense (the query text is
 * embedded with {@link Encoder#embedQuery}, which adds the model's query instruction, if any), keyword (BM25 on the
 * query text, nothing embedded) or hybrid (both, fused by reciprocal rank fusion). The top chunks come back as
 * {@link Content} with the chunk id and a score: dense, the relevance {@code (cosine + 1) / 2}; keyword, the BM25
 * score; hybrid, the RRF score. With a {@link Reranker}, the first stage's top candidates are re-scored by its
 * scoring model and the contents carry the rerank score, best first.
 */
public final class ChunkStoreContentRetriever implements ContentRetriever {
    private final ChunkStore store;
    private final Encoder encoder;
    private final int maxResults;
    private final MetadataFilter filter;
    private final SearchMode mode;
    private final Reranker reranker;

    public ChunkStoreContentRetriever(ChunkStore store, Encoder encoder, int maxResults, MetadataFilter filter) {
        this(store, encoder, maxResults, filter, SearchMode.DENSE);
    }

    public ChunkStoreContentRetriever(ChunkStore store, Encoder encoder, int maxResults, MetadataFilter filter,
                                      SearchMode mode) {
        this(store, encoder, maxResults, filter, mode, null);
    }

    /** @param reranker the second stage, or null for none */
    public ChunkStoreContentRetriever(ChunkStore store, Encoder encoder, int maxResults, MetadataFilter filter,
                                      SearchMode mode, Reranker reranker) {
        this.reranker = reranker;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.store = Objects.requireNonNull(store, "store");
        if (!store.searchModes().contains(mode))
            throw new IllegalArgumentException(store.getClass().getSimpleName() + " does not support "
                    + mode.wireName() + " search");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.filter = Objects.requireNonNull(filter, "filter");
        if (maxResults < 1) throw new IllegalArgumentException("maxResults must be at least 1, was " + maxResults);
        if (encoder.dimension() != store.dimension())
            throw new IllegalArgumentException("encoder " + encoder.modelId() + " makes " + encoder.dimension()
                    + "-dimensional vectors but the store holds dimension " + store.dimension());
        this.maxResults = maxResults;
    }

    public ChunkStoreContentRetriever(ChunkStore store, Encoder encoder, int maxResults) {
        this(store, encoder, maxResults, MetadataFilter.NONE);
    }

    public SearchMode mode() {
        return mode;
    }

    public boolean reranks() {
        return reranker != null;
    }

    @Override
    public List<Content> retrieve(Query query) {
        List<Content> contents = new ArrayList<>();
        float[] vector = mode.usesVector() ? encoder.embedQuery(query.text()) : null;
        SearchQuery search = new SearchQuery(query.text(), vector, maxResults, filter, mode);
        for (SearchHit hit : reranker != null ? reranker.search(store, search) : store.search(search)) {
            TextSegment segment = ChunkStoreEmbeddingStore.toSegment(hit.chunk());
            if (segment == null) continue; // an embedding-only chunk has no content to give
            double score = hit.rerankScore() != null ? hit.rerankScore()
                    : mode == SearchMode.DENSE ? RelevanceScore.fromCosineSimilarity(hit.score()) : hit.score();
            contents.add(Content.from(segment, Map.of(
                    ContentMetadata.SCORE, score,
                    ContentMetadata.EMBEDDING_ID, hit.chunk().id())));
        }
        return contents;
    }
}
