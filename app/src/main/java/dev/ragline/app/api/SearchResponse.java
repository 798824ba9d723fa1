package dev.ragline.app.api;

import dev.ragline.core.SearchHit;
import java.util.List;
import java.util.Map;

public record SearchResponse(String query, int k, double tookMs, List<Hit> hits) {

    /** One ranked chunk. Offsets are character positions in the parsed document text. */
    public record Hit(double score, String documentId, String chunkId, int chunkIndex, String title, String heading,
                      String text, int startOffset, int endOffset, long version, Map<String, String> metadata) {
        public static Hit of(SearchHit hit) {
            var c = hit.chunk();
            return new Hit(hit.score(), c.documentId(), c.id(), c.index(), c.title(), c.heading(), c.text(),
                    c.startOffset(), c.endOffset(), c.version(), c.metadata());
        }
    }
}
