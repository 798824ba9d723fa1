package dev.ragline.app.wiring;

import dev.ragline.app.api.InvalidRequestException;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchQuery;
import dev.ragline.retrieval.Reranker;
import java.util.List;

/**
 * The reranking stage as the API offers it: present only when {@code ragline.retrieval.rerank.model} is set, asked
 * for per request with {@code "rerank": true} (absent or false: the first stage alone).
 */
public final class Reranking {
    private final Reranker reranker;

    Reranking(Reranker reranker) {
        this.reranker = reranker;
    }

    public boolean available() {
        return reranker != null;
    }

    /** The request's {@code rerank} flag; true without a configured model is the caller's error (400). */
    public boolean requested(Boolean flag) {
        if (flag == null || !flag) return false;
        if (reranker == null)
            throw InvalidRequestException.field("rerank", "no reranking model is configured (ragline.retrieval.rerank.model)");
        return true;
    }

    public List<SearchHit> search(ChunkStore store, SearchQuery query, boolean rerank) {
        return rerank ? reranker.search(store, query) : store.search(query);
    }
}
