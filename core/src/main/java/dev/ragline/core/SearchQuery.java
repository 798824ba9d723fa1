package dev.ragline.core;

import java.util.Objects;

/**
 * One search: the query text (for the keyword leg), its L2-normalised embedding (for the dense leg), how many
 * chunks to return, the metadata filter applied to every leg, and the mode. The text may be null in
 * {@link SearchMode#DENSE} mode and the vector may be null in {@link SearchMode#KEYWORD} mode.
 */
public record SearchQuery(String text, float[] vector, int k, MetadataFilter filter, SearchMode mode) {

    public SearchQuery {
        Objects.requireNonNull(mode, "mode");
        filter = filter == null ? MetadataFilter.NONE : filter;
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, was " + k);
        if (mode.usesVector() && vector == null)
            throw new IllegalArgumentException(mode.wireName() + " search needs a query vector");
        if (mode.usesText() && (text == null || text.isBlank()))
            throw new IllegalArgumentException(mode.wireName() + " search needs a non-blank query text");
    }

    public static SearchQuery dense(float[] vector, int k, MetadataFilter filter) {
        return new SearchQuery(null, vector, k, filter, SearchMode.DENSE);
    }

    public static SearchQuery keyword(String text, int k, MetadataFilter filter) {
        return new SearchQuery(text, null, k, filter, SearchMode.KEYWORD);
    }

    public static SearchQuery hybrid(String text, float[] vector, int k, MetadataFilter filter) {
        return new SearchQuery(text, vector, k, filter, SearchMode.HYBRID);
    }
}
