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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LangChain4j {@link ContentRetriever} over our encoder and store: the query text is embedded with
 * {@link Encoder#embedQuery} (which adds the model's query instruction, if any) and the top chunks come back as
 * {@link Content} with their relevance score ({@code (cosine + 1) / 2}) and chunk id.
 */
public final class ChunkStoreContentRetriever implements ContentRetriever {
    private final ChunkStore store;
    private final Encoder encoder;
    private final int maxResults;
    private final MetadataFilter filter;

    public ChunkStoreContentRetriever(ChunkStore store, Encoder encoder, int maxResults, MetadataFilter filter) {
        this.store = Objects.requireNonNull(store, "store");
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

    @Override
    public List<Content> retrieve(Query query) {
        List<Content> contents = new ArrayList<>();
        for (SearchHit hit : store.search(encoder.embedQuery(query.text()), maxResults, filter)) {
            TextSegment segment = ChunkStoreEmbeddingStore.toSegment(hit.chunk());
            if (segment == null) continue; // an embedding-only chunk has no content to give
            contents.add(Content.from(segment, Map.of(
                    ContentMetadata.SCORE, RelevanceScore.fromCosineSimilarity(hit.score()),
                    ContentMetadata.EMBEDDING_ID, hit.chunk().id())));
        }
        return contents;
    }
}
