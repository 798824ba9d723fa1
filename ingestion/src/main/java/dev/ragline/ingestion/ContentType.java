package dev.ragline.ingestion;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The document formats ingestion understands, named by their media types. */
public enum ContentType {
    PLAIN_TEXT("text/plain"),
    MARKDOWN("text/markdown"),
    HTML("text/html");

    private final String mediaType;

    ContentType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * The content type for a media type, ignoring case and parameters ({@code text/html; charset=utf-8}).
     *
     * @throws IllegalArgumentException naming the accepted types when the media type is not one of them
     */
    public static ContentType fromMediaType(String mediaType) {
        String base = mediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (ContentType type : values()) if (type.mediaType.equals(base)) return type;
        throw new IllegalArgumentException("unknown content type '" + mediaType + "', expected one of "
                + Arrays.stream(values()).map(ContentType::mediaType).collect(Collectors.joining(", ")));
    }

    /** The content type for a file name by its extension (.md/.markdown, .html/.htm, anything else plain). */
    public static ContentType fromFileName(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".md") || name.endsWith(".markdown")) return MARKDOWN;
        if (name.endsWith(".html") || name.endsWith(".htm")) return HTML;
        return PLAIN_TEXT;
    }
}
