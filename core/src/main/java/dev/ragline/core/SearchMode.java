package dev.ragline.core;

import java.util.Locale;

/**
 * Which retrieval legs a search runs: {@code DENSE} (vector kNN on the query embedding), {@code KEYWORD} (BM25 on the
 * query text) or {@code HYBRID} (both, fused by reciprocal rank fusion).
 */
public enum SearchMode {
    DENSE, KEYWORD, HYBRID;

    /** Case-insensitive; the message names the accepted values. */
    public static SearchMode parse(String value) {
        if (value != null) {
            for (SearchMode mode : values())
                if (mode.name().equalsIgnoreCase(value.trim())) return mode;
        }
        throw new IllegalArgumentException("must be one of dense, keyword, hybrid, was '" + value + "'");
    }

    public boolean usesVector() {
        return this != KEYWORD;
    }

    public boolean usesText() {
        return this != DENSE;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
