package dev.ragline.ingestion;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.ragline.core.Chunk;
import dev.ragline.core.Encoder;
import dev.ragline.core.TokenCounter;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts parsed documents into chunks whose length, measured in the encoder's own tokens (special tokens
 * included), never exceeds the chunk size, so the encoder never truncates a chunk.
 *
 * <p>Chunks never cross a section (heading) boundary. Inside a section, text is cut at paragraph ends where
 * possible, else at sentence ends, else between words; a single word longer than the limit is cut inside.
 * Consecutive chunks of a section share up to {@code overlapTokens} tokens of whole sentences (or words).
 * Each chunk's text is exactly {@code parsed.text().substring(startOffset, endOffset)}.
 *
 * <p>Cost: the tokenizer runs once per sentence (words only inside over-long sentences) plus once per
 * chunk to verify the packed estimate; a chunk whose real count is over the limit is shortened by a unit
 * and checked again. Small sections are counted once as a whole.
 */
public final class TokenAwareSplitter implements DocumentSplitter {
    /** Metadata keys on LangChain4j segments. */
    public static final String HEADING = "heading", START_OFFSET = "start_offset", END_OFFSET = "end_offset",
            INDEX = "index", CONTENT_TYPE = "content_type";

    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[ \\t]*\\n\\s*");
    private static final Pattern WORD = Pattern.compile("\\S+");

    private final TokenCounter counter;
    private final int maxTokens;
    private final int overlapTokens;
    /** Tokens the encoder adds to every input ([CLS], [SEP]); the rest of the budget is for text. */
    private final int specialTokens;
    /** Room left when packing by summed unit counts, since counts are not exactly additive for every tokenizer. */
    private final int packingMargin;

    /**
     * @param counter       counts tokens as the encoder does, special tokens included
     * @param maxTokens     the largest chunk in tokens, special tokens included
     * @param overlapTokens tokens shared by consecutive chunks of a section, at most half of maxTokens
     */
    public TokenAwareSplitter(TokenCounter counter, int maxTokens, int overlapTokens) {
        this.counter = Objects.requireNonNull(counter, "counter");
        this.specialTokens = counter.countTokens("");
        if (maxTokens < specialTokens + 8) {
            throw new IllegalArgumentException("chunk size " + maxTokens + " leaves no room for text after "
                    + specialTokens + " special tokens");
        }
        if (overlapTokens < 0 || overlapTokens > maxTokens / 2) {
            throw new IllegalArgumentException("overlap must be between 0 and half the chunk size (" + maxTokens / 2
                    + "), got " + overlapTokens);
        }
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
        this.packingMargin = Math.max(1, (maxTokens - specialTokens) / 50);
    }

    /**
     * A splitter for an encoder: chunks of at most {@code chunkTokens}, never more than the encoder's
     * {@link Encoder#maxTokens()}.
     */
    public static TokenAwareSplitter forEncoder(Encoder encoder, int chunkTokens, int overlapTokens) {
        return new TokenAwareSplitter(encoder, Math.min(chunkTokens, encoder.maxTokens()), overlapTokens);
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int overlapTokens() {
        return overlapTokens;
    }

    /** Chunks of one document version, with deterministic ids ({@link Chunk#idFor}). */
    public List<Chunk> split(String documentId, long version, String title, Map<String, String> metadata,
                             ParsedDocument parsed) {
        List<Chunk> chunks = new ArrayList<>();
        for (Span span : spans(parsed)) {
            int index = chunks.size();
            chunks.add(new Chunk(Chunk.idFor(documentId, version, index), documentId, version, index,
                    parsed.text().substring(span.start, span.end), title, span.heading, span.start, span.end, metadata));
        }
        return chunks;
    }

    /**
     * LangChain4j's splitter contract. The document text is parsed as plain text, or as the type named by a
     * {@code content_type} metadata entry (text/markdown, text/html); offsets then refer to the parsed text.
     * Each segment carries the document's metadata plus heading, start_offset, end_offset and index.
     */
    @Override
    public List<TextSegment> split(Document document) {
        String contentType = document.metadata().getString(CONTENT_TYPE);
        ParsedDocument parsed = ParsedDocument.parse(
                contentType == null ? ContentType.PLAIN_TEXT : ContentType.fromMediaType(contentType), document.text());
        List<TextSegment> segments = new ArrayList<>();
        for (Span span : spans(parsed)) {
            Metadata metadata = document.metadata().copy()
                    .put(HEADING, span.heading).put(START_OFFSET, span.start).put(END_OFFSET, span.end)
                    .put(INDEX, segments.size());
            segments.add(TextSegment.from(parsed.text().substring(span.start, span.end), metadata));
        }
        return segments;
    }

    private record Span(String heading, int start, int end) {
    }

    /** A piece that is never cut further while packing: a sentence, or a word (or word piece) of a long sentence. */
    private record Unit(int start, int end, int tokens, boolean endsParagraph) {
    }

    private List<Span> spans(ParsedDocument parsed) {
        List<Span> spans = new ArrayList<>();
        String text = parsed.text();
        for (ParsedDocument.Section section : parsed.sections()) {
            int start = skipWhitespace(text, section.start(), section.end());
            int end = trimEnd(text, start, section.end());
            if (start >= end) continue;
            // Small sections (most documents) are counted once as a whole; the length test only saves a wasted count.
            if (end - start <= 16L * maxTokens && counter.countTokens(text.substring(start, end)) <= maxTokens) {
                spans.add(new Span(section.headingPath(), start, end));
            } else {
                pack(text, units(text, start, end), section.headingPath(), spans);
            }
        }
        return spans;
    }

    /** Greedy packing of units into chunks, preferring to end a chunk at a paragraph end. */
    private void pack(String text, List<Unit> units, String heading, List<Span> out) {
        int budget = maxTokens - specialTokens - packingMargin;
        int first = 0;
        while (first < units.size()) {
            int end = first; // exclusive
            int sum = 0;
            while (end < units.size() && (end == first || sum + units.get(end).tokens <= budget)) {
                sum += units.get(end++).tokens;
            }
            if (end < units.size()) end = preferParagraphEnd(units, first, end, sum);
            // Verify with the real count; a single unit always fits because it was counted on its own.
            while (end - first > 1 && counter.countTokens(text.substring(units.get(first).start, units.get(end - 1).end)) > maxTokens) {
                end--;
            }
            out.add(new Span(heading, units.get(first).start, units.get(end - 1).end));
            if (end >= units.size()) break;
            first = overlapStart(units, first, end, budget);
        }
    }

    /** The last paragraph end in the chunk, if cutting there keeps at least half of the chunk's tokens. */
    private static int preferParagraphEnd(List<Unit> units, int first, int end, int sum) {
        if (units.get(end - 1).endsParagraph) return end;
        int tokens = sum;
        for (int i = end - 1; i > first; i--) {
            tokens -= units.get(i).tokens;
            if (tokens * 2 < sum) break;
            if (units.get(i - 1).endsParagraph) return i;
        }
        return end;
    }

    /** Where the next chunk starts: trailing units of the previous chunk within the overlap, leaving room for new text. */
    private int overlapStart(List<Unit> units, int first, int end, int budget) {
        int next = end;
        int overlap = 0;
        while (next - 1 > first && overlap + units.get(next - 1).tokens <= overlapTokens) {
            overlap += units.get(next - 1).tokens;
            next--;
        }
        while (next < end && overlap + units.get(end).tokens > budget) {
            overlap -= units.get(next++).tokens;
        }
        return next;
    }

    /** Sentences of each paragraph; words of sentences over the limit; pieces of words over the limit. */
    private List<Unit> units(String text, int start, int end) {
        List<Unit> units = new ArrayList<>();
        int textBudget = maxTokens - specialTokens;
        Matcher breaks = PARAGRAPH_BREAK.matcher(text).region(start, end);
        int paragraphStart = start;
        while (paragraphStart < end) {
            int paragraphEnd = breaks.find() ? breaks.start() : end;
            int next = paragraphEnd == end ? end : breaks.end();
            int from = units.size();
            sentences(text, paragraphStart, paragraphEnd, textBudget, units);
            if (units.size() > from) {
                Unit last = units.getLast();
                units.set(units.size() - 1, new Unit(last.start, last.end, last.tokens, true));
            }
            paragraphStart = next;
        }
        return units;
    }

    private void sentences(String text, int start, int end, int textBudget, List<Unit> units) {
        BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
        sentences.setText(text.substring(start, end));
        for (int s = sentences.first(), e = sentences.next(); e != BreakIterator.DONE; s = e, e = sentences.next()) {
            int from = skipWhitespace(text, start + s, start + e);
            int to = trimEnd(text, from, start + e);
            if (from >= to) continue;
            int tokens = textTokens(text.substring(from, to));
            if (tokens <= textBudget) units.add(new Unit(from, to, tokens, false));
            else words(text, from, to, textBudget, units);
        }
    }

    private void words(String text, int start, int end, int textBudget, List<Unit> units) {
        Matcher words = WORD.matcher(text).region(start, end);
        while (words.find()) {
            int from = words.start();
            int to = words.end();
            int tokens = textTokens(text.substring(from, to));
            if (tokens <= textBudget) {
                units.add(new Unit(from, to, tokens, false));
                continue;
            }
            // Last resort: cut the word itself, each piece as long as fits (binary search on its length).
            while (from < to) {
                int low = from + 1, high = to, fit = from + 1;
                while (low <= high) {
                    int mid = (low + high) >>> 1;
                    if (textTokens(text.substring(from, mid)) <= textBudget) {
                        fit = mid;
                        low = mid + 1;
                    } else {
                        high = mid - 1;
                    }
                }
                if (fit < to && Character.isHighSurrogate(text.charAt(fit - 1)) && fit - 1 > from) fit--;
                units.add(new Unit(from, fit, textTokens(text.substring(from, fit)), false));
                from = fit;
            }
        }
    }

    private int textTokens(String s) {
        return counter.countTokens(s) - specialTokens;
    }

    private static int skipWhitespace(String text, int from, int to) {
        while (from < to && Character.isWhitespace(text.charAt(from))) from++;
        return from;
    }

    private static int trimEnd(String text, int from, int to) {
        while (to > from && Character.isWhitespace(text.charAt(to - 1))) to--;
        return to;
    }
}
