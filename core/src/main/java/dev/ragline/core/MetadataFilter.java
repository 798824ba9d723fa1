package dev.ragline.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A conjunction of metadata conditions: every entry must hold. An entry matches when the chunk's
 * metadata value for the key is one of the listed values. The reserved key {@code document_id}
 * matches the chunk's document id. An empty filter matches everything.
 */
public record MetadataFilter(Map<String, List<String>> anyOf) {

    public static final String DOCUMENT_ID = "document_id";
    public static final MetadataFilter NONE = new MetadataFilter(Map.of());

    public MetadataFilter {
        Objects.requireNonNull(anyOf, "anyOf");
        anyOf.forEach((key, values) -> {
            if (key == null || key.isBlank()) throw new IllegalArgumentException("filter key must not be blank");
            if (values == null || values.isEmpty())
                throw new IllegalArgumentException("filter '" + key + "' needs at least one value");
        });
        anyOf = Map.copyOf(anyOf);
    }

    public static MetadataFilter equalTo(String key, String value) {
        return new MetadataFilter(Map.of(key, List.of(value)));
    }

    /**
     * Both filters at once: values of a key present in both are intersected. Empty when no chunk can match both
     * (a shared key with no common value).
     */
    public java.util.Optional<MetadataFilter> and(MetadataFilter other) {
        Map<String, List<String>> all = new java.util.LinkedHashMap<>(anyOf);
        for (var condition : other.anyOf.entrySet()) {
            List<String> mine = all.get(condition.getKey());
            List<String> values = mine == null ? condition.getValue()
                    : mine.stream().filter(condition.getValue()::contains).toList();
            if (values.isEmpty()) return java.util.Optional.empty();
            all.put(condition.getKey(), values);
        }
        return java.util.Optional.of(new MetadataFilter(all));
    }

    public boolean isEmpty() {
        return anyOf.isEmpty();
    }

    /** Reference semantics, used by stores that filter in memory and by tests. */
    public boolean matches(Chunk chunk) {
        for (var condition : anyOf.entrySet()) {
            String actual = DOCUMENT_ID.equals(condition.getKey())
                    ? chunk.documentId() : chunk.metadata().get(condition.getKey());
            if (actual == null || !condition.getValue().contains(actual)) return false;
        }
        return true;
    }
}
