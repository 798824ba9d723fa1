package dev.ragline.app.api;

import dev.ragline.core.ChunkStore;
import dev.ragline.core.SearchMode;

/** The {@code mode} field of search and ask requests: dense, keyword or hybrid; absent means the configured default. */
public final class SearchModes {
    private SearchModes() {
    }

    public static SearchMode parse(String value, SearchMode defaultMode, ChunkStore store) {
        if (value == null) return defaultMode;
        SearchMode mode;
        try {
            mode = SearchMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw InvalidRequestException.field("mode", e.getMessage());
        }
        if (!store.searchModes().contains(mode))
            throw InvalidRequestException.field("mode", mode.wireName() + " search is not supported by this store");
        return mode;
    }
}
