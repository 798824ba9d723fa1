package dev.ragline.retrieval;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchQuery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The optional second stage of a search: the first stage (any mode) returns the top {@code candidates} chunks,
 * a LangChain4j {@link ScoringModel} (such as our ONNX cross-encoder) scores each (query, chunk text) pair, and the
 * best {@code k} by that score are returned. Each hit keeps its first-stage score and leg ranks and gains
 * {@link SearchHit#rerankScore()}; ties keep the first-stage order. Thread-safe when the model is.
 */
public final class Reranker {
    private final ScoringModel model;
    private final int candidates;

    /** @param candidates how many first-stage hits are re-scored (at least k of each search) */
    public Reranker(ScoringModel model, int candidates) {
        this.model = Objects.requireNonNull(model, "model");
        if (candidates < 1) throw new IllegalArgumentException("candidates must be at least 1, was " + candidates);
        this.candidates = candidates;
    }

    public int candidates() {
        return candidates;
    }

    public ScoringModel model() {
        return model;
    }

    /** First-stage hits a search for {@code k} re-scores. */
    public int depth(int k) {
        return Math.max(k, candidates);
    }

    /** Runs the first stage for {@code max(k, candidates)} hits, re-scores them and returns the best k. */
    public List<SearchHit> search(ChunkStore store, SearchQuery query) {
        List<SearchHit> first = store.search(new SearchQuery(query.text(), query.vector(), depth(query.k()), query.filter(),
                query.mode()));
        return rerank(query.text(), first, query.k());
    }

    /** Re-scores {@code hits} for the query text and returns the best {@code k}, ordered by rerank score. */
    public List<SearchHit> rerank(String query, List<SearchHit> hits, int k) {
        Objects.requireNonNull(query, "reranking needs the query text");
        if (hits.isEmpty()) return List.of();
        List<TextSegment> segments = hits.stream().map(h -> TextSegment.from(h.chunk().text())).toList();
        List<Double> scores = model.scoreAll(segments, query).content();
        if (scores.size() != hits.size())
            throw new IllegalStateException("scoring model returned " + scores.size() + " scores for " + hits.size() + " hits");
        List<SearchHit> scored = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) scored.add(hits.get(i).withRerankScore(scores.get(i)));
        scored.sort(Comparator.comparingDouble((SearchHit h) -> h.rerankScore()).reversed()); // stable: ties keep order
        return List.copyOf(scored.subList(0, Math.min(k, scored.size())));
    }
}
