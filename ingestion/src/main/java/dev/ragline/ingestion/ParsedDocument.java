package dev.ragline.ingestion;

import java.util.List;
import java.util.Objects;

/**
 * A document reduced to plain text, with the sections its headings define.
 *
 * @param text     the text that is chunked; chunk offsets refer to it
 * @param sections non-overlapping, in text order; together they cover all text worth indexing
 * @param title    a title found in the document itself (an HTML {@code <title>}), or empty
 */
public record ParsedDocument(String text, List<Section> sections, String title) {

    /**
     * A run of text under one heading path.
     *
     * @param headingPath the headings above this text joined by {@code " > "}, for example "Setup > Install";
     *                    empty before the first heading
     * @param start       first character (inclusive) in {@link ParsedDocument#text()}
     * @param end         last character (exclusive)
     */
    public record Section(String headingPath, int start, int end) {
        public Section {
            Objects.requireNonNull(headingPath, "headingPath");
            if (start < 0 || end < start) throw new IllegalArgumentException("bad section range " + start + ".." + end);
        }
    }

    public ParsedDocument {
        Objects.requireNonNull(text, "text");
        sections = List.copyOf(sections);
        title = title == null ? "" : title;
        int previousEnd = 0;
        for (Section section : sections) {
            if (section.start() < previousEnd || section.end() > text.length()) {
                throw new IllegalArgumentException("sections must be ordered, disjoint and inside the text: " + section);
            }
            previousEnd = section.end();
        }
    }

    /** Parses a document body of the given type. */
    public static ParsedDocument parse(ContentType contentType, String body) {
        return parse(contentType, body, IngestionLimits.DEFAULT_MAX_NESTING_DEPTH);
    }

    /**
     * Parses a document body, refusing trees nested deeper than {@code maxNestingDepth}.
     *
     * @throws InvalidEventException when the document nests too deep
     */
    public static ParsedDocument parse(ContentType contentType, String body, int maxNestingDepth) {
        return switch (contentType) {
            case PLAIN_TEXT -> PlainTextParser.parse(body);
            case MARKDOWN -> MarkdownParser.parse(body, maxNestingDepth);
            case HTML -> HtmlParser.parse(body, maxNestingDepth);
        };
    }

    public boolean isBlank() {
        return text.isBlank();
    }
}
