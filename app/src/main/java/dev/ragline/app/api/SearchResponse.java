package dev.ragline.app.api;

import dev.ragline.core.SearchHit;
import java.util.List;
import java.util.Map;

public record SearchResponse(String query, int k, String mode, boolean reranked, double tookMs, List<Hit> hits) {

    /**
     * One ranked chunk. Offsets are character positions in the parsed document text. {@code score} is the mode's
     * ranking score (dense: cosine; keyword: BM25; hybrid: reciprocal rank fusion); {@code legs} says which legs
     * found the chunk, at which rank (from 1) and with which score. {@code rerankScore} is the cross-encoder's score
     * when the request asked for reranking (hits are then ordered by it), else null.
     */
    public record Hit(double score, String documentId, String chunkId, int chunkIndex, String title, String heading,
                      String text, int startOffset, int endOffset, long version, Map<String, String> metadata,
                      Map<String, Leg> legs, Double rerankScore) {
        public static Hit of(SearchHit hit) {
            var c = hit.chunk();
            return new Hit(hit.score(), c.documentId(), c.id(), c.index(), c.title(), c.heading(), c.text(),
                    c.startOffset(), c.endOffset(), c.version(), c.metadata(), SearchResponse.legs(hit), hit.rerankScore());
        }
    }

    public record Leg(int rank, double score) {
    }

    static Map<String, Leg> legs(SearchHit hit) {
        Map<String, Leg> legs = new java.util.LinkedHashMap<>();
        if (hit.dense() != null) legs.put("dense", new Leg(hit.dense().rank(), hit.dense().score()));
        if (hit.keyword() != null) legs.put("keyword", new Leg(hit.keyword().rank(), hit.keyword().score()));
        return legs;
    }
}
