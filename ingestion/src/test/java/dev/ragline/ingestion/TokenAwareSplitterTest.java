package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.ragline.core.Chunk;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenAwareSplitterTest {
    private static final TokenCounter COUNTER = new SubwordTokenCounter();

    /** Markdown with several sections of random-length sentences and paragraphs, some words very long. */
    private static String randomMarkdown(long seed, int sections) {
        Random random = new Random(seed);
        String[] vocabulary = {"battery", "charge", "motor", "the", "a", "belt", "pressure", "display", "firmware",
                "update", "in", "of", "level", "assist", "range", "kilometres", "3.5", "bar", "E04", "service"};
        StringBuilder md = new StringBuilder();
        for (int s = 0; s < sections; s++) {
            md.append(s % 3 == 0 ? "# " : "## ").append("Section ").append(s).append("\n\n");
            int paragraphs = 1 + random.nextInt(5);
            for (int p = 0; p < paragraphs; p++) {
                int sentences = 1 + random.nextInt(8);
                for (int t = 0; t < sentences; t++) {
                    int words = 3 + random.nextInt(random.nextInt(10) == 0 ? 150 : 25);
                    for (int w = 0; w < words; w++) {
                        String word = vocabulary[random.nextInt(vocabulary.length)];
                        if (random.nextInt(400) == 0) word = "x".repeat(300 + random.nextInt(300)); // over-long word
                        md.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                        md.append(w == words - 1 ? ". " : random.nextInt(12) == 0 ? ", " : " ");
                    }
                }
                md.append("\n\n");
            }
        }
        return md.toString();
    }

    private static List<Chunk> split(TokenAwareSplitter splitter, ParsedDocument parsed) {
        return splitter.split("doc", 3, "Title", Map.of("k", "v"), parsed);
    }

    @Test
    void chunksNeverExceedTheLimitAndMapBackIntoTheText() {
        for (long seed = 1; seed <= 5; seed++) {
            ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, randomMarkdown(seed, 12));
            for (int maxTokens : new int[] {24, 64, 128, 512}) {
                TokenAwareSplitter splitter = new TokenAwareSplitter(COUNTER, maxTokens, maxTokens / 8);
                List<Chunk> chunks = split(splitter, parsed);
                assertThat(chunks).isNotEmpty();
                for (int i = 0; i < chunks.size(); i++) {
                    Chunk chunk = chunks.get(i);
                    assertThat(COUNTER.countTokens(chunk.text())).as("chunk %d at %d tokens", i, maxTokens).isLessThanOrEqualTo(maxTokens);
                    assertThat(parsed.text().substring(chunk.startOffset(), chunk.endOffset())).isEqualTo(chunk.text());
                    assertThat(chunk.text()).isNotBlank().isEqualTo(chunk.text().strip());
                    assertThat(chunk.index()).isEqualTo(i);
                    assertThat(chunk.id()).isEqualTo(Chunk.idFor("doc", 3, i));
                    assertThat(chunk.metadata()).isEqualTo(Map.of("k", "v"));
                    assertThat(chunk.title()).isEqualTo("Title");
                }
            }
        }
    }

    @Test
    void everyNonBlankCharacterOfEachSectionIsInSomeChunkOfThatSection() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, randomMarkdown(7, 9));
        List<Chunk> chunks = split(new TokenAwareSplitter(COUNTER, 48, 8), parsed);
        for (ParsedDocument.Section section : parsed.sections()) {
            List<Chunk> inSection = chunks.stream()
                    .filter(c -> c.startOffset() >= section.start() && c.endOffset() <= section.end()).toList();
            assertThat(inSection).allSatisfy(c -> assertThat(c.heading()).isEqualTo(section.headingPath()));
            for (int i = section.start(); i < section.end(); i++) {
                if (Character.isWhitespace(parsed.text().charAt(i))) continue;
                int at = i;
                assertThat(inSection).as("character %d of section %s", at, section.headingPath())
                        .anyMatch(c -> c.startOffset() <= at && at < c.endOffset());
            }
        }
        // No chunk crosses a section boundary.
        assertThat(chunks).allSatisfy(c -> assertThat(parsed.sections())
                .anyMatch(s -> s.start() <= c.startOffset() && c.endOffset() <= s.end()));
    }

    @Test
    void consecutiveChunksOverlapByWholeSentencesWithinTheBudget() {
        String sentences = String.join(" ", java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> "Sentence number " + i + " talks about the battery.").toList());
        ParsedDocument parsed = ParsedDocument.parse(ContentType.PLAIN_TEXT, sentences);
        List<Chunk> chunks = split(new TokenAwareSplitter(COUNTER, 48, 16), parsed);
        assertThat(chunks.size()).isGreaterThan(3);
        for (int i = 1; i < chunks.size(); i++) {
            Chunk previous = chunks.get(i - 1), next = chunks.get(i);
            assertThat(next.startOffset()).isLessThan(previous.endOffset()).isGreaterThan(previous.startOffset());
            String shared = parsed.text().substring(next.startOffset(), previous.endOffset());
            assertThat(shared).startsWith("Sentence").endsWith(".");
            assertThat(COUNTER.countTokens(shared) - 2).isLessThanOrEqualTo(16);
        }
        List<Chunk> withoutOverlap = split(new TokenAwareSplitter(COUNTER, 48, 0), parsed);
        for (int i = 1; i < withoutOverlap.size(); i++) {
            assertThat(withoutOverlap.get(i).startOffset()).isGreaterThanOrEqualTo(withoutOverlap.get(i - 1).endOffset());
        }
    }

    @Test
    void prefersParagraphEndsOverSentenceEnds() {
        String paragraph = "One short sentence here. Another short sentence here. A third one to close.";
        String text = String.join("\n\n", paragraph, paragraph, paragraph, paragraph);
        ParsedDocument parsed = ParsedDocument.parse(ContentType.PLAIN_TEXT, text);
        // Room for about one and a half paragraphs: each chunk should end where a paragraph ends.
        List<Chunk> chunks = split(new TokenAwareSplitter(COUNTER, 2 + (COUNTER.countTokens(paragraph) - 2) * 3 / 2, 0), parsed);
        assertThat(chunks).hasSize(4).allSatisfy(c -> assertThat(c.text()).isEqualTo(paragraph));
    }

    @Test
    void hardSplitsAWordLongerThanTheLimit() {
        String word = "a".repeat(1000);
        ParsedDocument parsed = ParsedDocument.parse(ContentType.PLAIN_TEXT, "Before. " + word + " after.");
        List<Chunk> chunks = split(new TokenAwareSplitter(COUNTER, 32, 0), parsed);
        assertThat(chunks).allSatisfy(c -> assertThat(COUNTER.countTokens(c.text())).isLessThanOrEqualTo(32));
        assertThat(String.join("", chunks.stream().map(Chunk::text).filter(t -> t.startsWith("a")).toList()))
                .startsWith(word);
    }

    @Test
    void staysUnderTheLimitWhenTokenCountsAreNotAdditive() {
        // Counts whitespace too: a chunk costs more than the sum of its sentences, so packing must be verified.
        AtomicInteger calls = new AtomicInteger();
        TokenCounter perCharacters = text -> {
            calls.incrementAndGet();
            return 2 + (text.length() + 3) / 4;
        };
        ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, randomMarkdown(11, 6));
        List<Chunk> chunks = split(new TokenAwareSplitter(perCharacters, 40, 6), parsed);
        assertThat(chunks).allSatisfy(c -> assertThat(perCharacters.countTokens(c.text())).isLessThanOrEqualTo(40));
        // Linear, not quadratic: a bounded number of counts per piece of text.
        int words = parsed.text().split("\\s+").length;
        assertThat(calls.get()).isLessThan(words * 3);
    }

    @Test
    void isDeterministic() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, randomMarkdown(3, 8));
        assertThat(split(new TokenAwareSplitter(COUNTER, 64, 16), parsed))
                .isEqualTo(split(new TokenAwareSplitter(COUNTER, 64, 16), parsed));
    }

    @Test
    void aSmallSectionIsOneChunkWithItsHeading() {
        ParsedDocument parsed = ParsedDocument.parse(ContentType.MARKDOWN, "# Setup\n\n## Install\n\nRun it.\n\n## Use\n\nCall it.");
        List<Chunk> chunks = split(new TokenAwareSplitter(COUNTER, 512, 32), parsed);
        assertThat(chunks).extracting(Chunk::heading).containsExactly("Setup > Install", "Setup > Use");
        assertThat(chunks).extracting(Chunk::text).containsExactly("Install\n\nRun it.", "Use\n\nCall it.");
    }

    @Test
    void forEncoderNeverExceedsTheEncodersOwnLimit() {
        HashingEncoder encoder = new HashingEncoder(16, 64);
        TokenAwareSplitter splitter = TokenAwareSplitter.forEncoder(encoder, 512, 16);
        assertThat(splitter.maxTokens()).isEqualTo(64);
        List<Chunk> chunks = split(splitter, ParsedDocument.parse(ContentType.MARKDOWN, randomMarkdown(5, 4)));
        assertThat(chunks).allSatisfy(c -> assertThat(encoder.countTokens(c.text())).isLessThanOrEqualTo(64));
    }

    @Test
    void rejectsSettingsThatCannotWork() {
        assertThatThrownBy(() -> new TokenAwareSplitter(COUNTER, 5, 0)).hasMessageContaining("no room for text");
        assertThatThrownBy(() -> new TokenAwareSplitter(COUNTER, 64, 40)).hasMessageContaining("overlap");
        assertThatThrownBy(() -> new TokenAwareSplitter(COUNTER, 64, -1)).hasMessageContaining("overlap");
    }

    @Test
    void implementsLangChain4jsDocumentSplitter() {
        Document document = Document.from("<h1>Title</h1><p>First paragraph. Second sentence.</p><h2>Next</h2><p>More.</p>",
                Metadata.from(Map.of("team", "search", TokenAwareSplitter.CONTENT_TYPE, "text/html")));
        var segments = new TokenAwareSplitter(COUNTER, 512, 0).split(document);
        assertThat(segments).hasSize(2);
        assertThat(segments.get(0).text()).isEqualTo("Title\n\nFirst paragraph. Second sentence.");
        assertThat(segments.get(0).metadata().getString(TokenAwareSplitter.HEADING)).isEqualTo("Title");
        assertThat(segments.get(0).metadata().getString("team")).isEqualTo("search");
        assertThat(segments.get(1).metadata().getString(TokenAwareSplitter.HEADING)).isEqualTo("Title > Next");
        assertThat(segments.get(1).metadata().getInteger(TokenAwareSplitter.INDEX)).isEqualTo(1);
        assertThat(segments.get(1).metadata().getInteger(TokenAwareSplitter.START_OFFSET)).isGreaterThan(0);
        List<String> plain = new ArrayList<>();
        new TokenAwareSplitter(COUNTER, 512, 0).split(Document.from("Plain text only.")).forEach(s -> plain.add(s.text()));
        assertThat(plain).containsExactly("Plain text only.");
    }
}
