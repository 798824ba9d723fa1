package dev.ragline.ingestion;

import java.util.List;

/** Plain text: kept as it is (line endings normalised to \n), one section without heading. */
final class PlainTextParser {
    private PlainTextParser() {
    }

    static ParsedDocument parse(String body) {
        String text = body.replace("\r\n", "\n").replace('\r', '\n').stripTrailing();
        int start = 0;
        while (start < text.length() && Character.isWhitespace(text.charAt(start))) start++;
        List<ParsedDocument.Section> sections = start < text.length()
                ? List.of(new ParsedDocument.Section("", start, text.length())) : List.of();
        return new ParsedDocument(text, sections, "");
    }
}
