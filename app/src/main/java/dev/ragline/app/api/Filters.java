package dev.ragline.app.api;

import dev.ragline.core.MetadataFilter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the JSON filter of the API into a {@link MetadataFilter}, rejecting shapes we don't support. */
public final class Filters {
    /** Keys one filter may have. */
    public static final int MAX_KEYS = 16;
    /** Values one key may list (any of). */
    public static final int MAX_VALUES = 100;
    /** Characters of a key or a value; ingestion refuses metadata values over 4,096 bytes, so longer never match. */
    public static final int MAX_KEY_CHARS = 256, MAX_VALUE_CHARS = 4096;

    private Filters() {
    }

    public static MetadataFilter parse(Map<String, Object> json) {
        if (json == null || json.isEmpty()) return MetadataFilter.NONE;
        if (json.size() > MAX_KEYS)
            throw InvalidRequestException.field("filter", "has " + json.size() + " keys, at most " + MAX_KEYS + " are allowed");
        Map<String, List<String>> anyOf = new LinkedHashMap<>();
        json.forEach((key, value) -> {
            if (key == null || key.isBlank()) throw new InvalidRequestException("filter keys must not be blank");
            if (key.length() > MAX_KEY_CHARS)
                throw InvalidRequestException.field("filter", "key '" + key.substring(0, 40) + "…' is longer than "
                        + MAX_KEY_CHARS + " characters");
            if (value instanceof List<?> list && list.size() > MAX_VALUES)
                throw InvalidRequestException.field("filter." + key, "lists " + list.size() + " values, at most "
                        + MAX_VALUES + " are allowed");
            if ((value instanceof String s && s.length() > MAX_VALUE_CHARS) || (value instanceof List<?> list
                    && list.stream().anyMatch(v -> v instanceof String s && s.length() > MAX_VALUE_CHARS)))
                throw InvalidRequestException.field("filter." + key, "a value is longer than " + MAX_VALUE_CHARS + " characters");
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
        if (value instanceof Map<?, ?>) return "an object";
        if (value instanceof Number n) return "a number (" + n + ")";
        if (value instanceof Boolean) return "a boolean";
        return value.getClass().getSimpleName().toLowerCase();
    }
}
