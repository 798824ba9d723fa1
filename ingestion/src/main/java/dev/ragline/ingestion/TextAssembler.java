package dev.ragline.ingestion;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the text of a parsed document block by block and cuts it into sections at headings. Shared by
 * the Markdown and HTML parsers so both produce the same layout: blocks separated by a blank line, runs of
 * whitespace inside a block collapsed to one space (except in preformatted text).
 */
final class TextAssembler {
    private static final int NONE = 0, LINE = 1, PARAGRAPH = 2;

    private final StringBuilder text = new StringBuilder();
    private final List<ParsedDocument.Section> sections = new ArrayList<>();
    /** Heading texts by level (index 0 = level 1); null where no heading of that level is open. */
    private final String[] headings = new String[6];
    private int pendingBreak = NONE;
    private String sectionHeading = "";
    private int sectionStart = 0;
    /** Where the current section's own heading text ends; a section with nothing after it is dropped. */
    private int sectionBodyStart = 0;
    private int sectionLevel = 0;
    private int headingStart = -1;
    private int headingLevel;

    /** Inline text: whitespace runs become one space, none at the start of a block. */
    void inline(String s) {
        String collapsed = s.replace('\u00A0', ' ').replaceAll("\\s+", " ");
        if (collapsed.isEmpty()) return;
        if (collapsed.startsWith(" ") && (atBlockStart() || endsWithSpace())) collapsed = collapsed.substring(1);
        if (collapsed.isEmpty()) return;
        flushBreak();
        text.append(collapsed);
    }

    /** Preformatted text (code blocks): kept as it is, trailing line breaks dropped. */
    void literal(String s) {
        String kept = s.stripTrailing();
        if (kept.isBlank()) return;
        flushBreak();
        text.append(kept);
    }

    void lineBreak() {
        pendingBreak = Math.max(pendingBreak, LINE);
    }

    void paragraphBreak() {
        pendingBreak = PARAGRAPH;
    }

    /** Text written until {@link #endHeading()} is a heading of this level (1–6). */
    void startHeading(int level) {
        paragraphBreak();
        flushBreak();
        headingStart = text.length();
        headingLevel = Math.max(1, Math.min(6, level));
    }

    void endHeading() {
        if (headingStart < 0) return;
        String heading = text.substring(headingStart).strip();
        int start = headingStart;
        headingStart = -1;
        paragraphBreak();
        if (heading.isEmpty()) return;
        closeSection(start, headingLevel);
        while (text.length() > start && Character.isWhitespace(text.charAt(text.length() - 1))) text.setLength(text.length() - 1);
        headings[headingLevel - 1] = heading;
        for (int i = headingLevel; i < headings.length; i++) headings[i] = null;
        StringBuilder path = new StringBuilder();
        for (String h : headings) {
            if (h == null) continue;
            if (!path.isEmpty()) path.append(" > ");
            path.append(h);
        }
        sectionHeading = path.toString();
        sectionStart = start;
        sectionBodyStart = text.length();
        sectionLevel = headingLevel;
    }

    ParsedDocument build(String title) {
        endHeading();
        closeSection(text.length(), 0);
        return new ParsedDocument(text.toString(), sections, title);
    }

    private void closeSection(int end, int nextHeadingLevel) {
        int trimmedEnd = end;
        while (trimmedEnd > sectionStart && Character.isWhitespace(text.charAt(trimmedEnd - 1))) trimmedEnd--;
        if (trimmedEnd <= sectionStart) return;
        // A heading directly followed by a sub-heading has no text of its own: it lives on in the sub-sections' paths.
        if (trimmedEnd <= sectionBodyStart && nextHeadingLevel > sectionLevel) return;
        sections.add(new ParsedDocument.Section(sectionHeading, sectionStart, trimmedEnd));
    }

    private boolean atBlockStart() {
        return text.isEmpty() || pendingBreak != NONE || text.charAt(text.length() - 1) == '\n';
    }

    private boolean endsWithSpace() {
        return !text.isEmpty() && text.charAt(text.length() - 1) == ' ';
    }

    private void flushBreak() {
        if (pendingBreak != NONE && !text.isEmpty()) {
            int end = text.length();
            while (end > 0 && text.charAt(end - 1) == ' ') end--;
            text.setLength(Math.max(end, Math.max(sectionStart, headingStart)));
            text.append(pendingBreak == PARAGRAPH ? "\n\n" : "\n");
        }
        pendingBreak = NONE;
    }
}
