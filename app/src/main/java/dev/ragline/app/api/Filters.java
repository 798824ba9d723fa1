package dev.ragline.app.api;

import dev.ragline.core.MetadataFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the JSON filter of the API into a {@link MetadataFilter}, rejecting shapes we don't support. */
public final class Filters {
    private Filters() {
    }

    public static MetadataFilter parse(Map<String, Object> json) {
        if (json == null || json.isEmpty()) return MetadataFilter.NONE;
        Map<String, List<String>> anyOf = new LinkedHashMap<>();
        json.forEach((key, value) -> {
            if (key == null || key.isBlank()) throw new InvalidRequestException("filter keys must not be blank");
            if (value instanceof String s) {
                anyOf.put(key, List.of(s));
            } else if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(String.class::isInstance)) {
                anyOf.put(key, list.stream().map(String.class::cast).toList());
            } else {
                throw new InvalidRequestException("filter '" + key
                        + "' must be a string or a non-empty list of strings, got " + describe(value));
            }
        });
        return new MetadataFilter(anyOf);
    }

    private static String describe(Object value) {
        if (value == null) return "null";
        if (value instanceof List<?> list) return list.isEmpty() ? "an empty list" : "a list with non-string items";
        return value.getClass().getSimpleName().toLowerCase();
    }
}
