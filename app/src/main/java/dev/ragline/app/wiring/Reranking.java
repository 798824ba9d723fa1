package dev.ragline.app.wiring;

import dev.ragline.app.api.InvalidRequestException;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.Tenant;
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

    /** A search within the tenant (see {@link Tenant#search}), re-scored when {@code rerank}. */
    public List<SearchHit> search(Tenant tenant, ChunkStore store, SearchQuery query, boolean rerank) {
        if (!rerank) return tenant.search(store, query);
        List<SearchHit> first = tenant.search(store, new SearchQuery(query.text(), query.vector(),
                reranker.depth(query.k()), query.filter(), query.mode()));
        return reranker.rerank(query.text(), first, query.k());
    }
}
