package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragline.core.HashingEncoder;
import dev.ragline.core.InMemoryChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.Tenant;
import dev.ragline.core.SearchHit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DocumentIndexerTest {
    private final CountingEncoder encoder = new CountingEncoder(64, 48);
    private final InMemoryChunkStore store = new InMemoryChunkStore(64);
    private final DocumentIndexer indexer = new DocumentIndexer(encoder, store, TokenAwareSplitter.forEncoder(encoder, 48, 8), 4);

    static String sentences(String topic, int count) {
        return IntStream.range(0, count).mapToObj(i -> "The " + topic + " fact number " + i + " is worth knowing.")
                .collect(Collectors.joining(" "));
    }

    static DocumentEvent doc(String id, long version, String text) {
        return DocumentEvent.upsert(id, "Title " + id, text, ContentType.PLAIN_TEXT, Map.of("source", "test"), version);
    }

    private List<SearchHit> chunksOf(String id) {
        return Tenant.DEFAULT.search(store, SearchQuery.dense(encoder.embedQuery("x"), 10_000, MetadataFilter.equalTo(MetadataFilter.DOCUMENT_ID, id)));
    }

    @Test
    void indexesChunksThatCanBeFoundAndFiltered() {
        DocumentIndexer.Result result = indexer.index(doc("a", 1, sentences("battery", 20)));
        assertThat(result.indexed()).isEqualTo(1);
        assertThat(result.chunksWritten()).isGreaterThan(3);
        assertThat(store.count()).isEqualTo(result.chunksWritten());
        indexer.index(doc("b", 1, sentences("brakes", 3)));
        SearchHit top = Tenant.DEFAULT.search(store, SearchQuery.dense(encoder.embedQuery("brakes fact"), 1, MetadataFilter.NONE)).getFirst();
        assertThat(top.chunk().documentId()).isEqualTo("b");
        assertThat(top.chunk().title()).isEqualTo("Title b");
        assertThat(top.chunk().metadata()).containsEntry("source", "test");
    }

    @Test
    void anUpdateReplacesEveryChunkOfTheOldVersion() {
        indexer.index(doc("a", 1, sentences("battery", 30)));
        long v1Chunks = store.count();
        DocumentIndexer.Result result = indexer.index(doc("a", 2, sentences("motor", 4)));
        assertThat(chunksOf("a")).hasSize(result.chunksWritten()).hasSizeLessThan((int) v1Chunks)
                .allSatisfy(hit -> assertThat(hit.chunk().version()).isEqualTo(2))
                .allSatisfy(hit -> assertThat(hit.chunk().text()).doesNotContain("battery"));
    }

    @Test
    void anOlderVersionIsSkippedSoAReplayNeverRegresses() {
        indexer.index(doc("a", 5, sentences("motor", 3)));
        DocumentIndexer.Result result = indexer.index(doc("a", 4, sentences("battery", 3)));
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(result.chunksWritten()).isZero();
        assertThat(chunksOf("a")).allSatisfy(hit -> assertThat(hit.chunk().version()).isEqualTo(5));
    }

    @Test
    void theSameEventTwiceLeavesNoDuplicatesAndASameVersionRewriteLeavesNoLeftovers() {
        DocumentEvent event = doc("a", 1, sentences("battery", 20));
        indexer.index(event);
        long once = store.count();
        indexer.index(event);
        assertThat(store.count()).isEqualTo(once);
        // Same version, shorter text (a producer that forgot to bump the version): no stale tail chunks.
        indexer.index(doc("a", 1, sentences("battery", 2)));
        assertThat(store.count()).isEqualTo(1);
    }

    @Test
    void aDeleteRemovesTheDocumentAndOnlyIt() {
        indexer.index(doc("a", 1, sentences("battery", 10)));
        indexer.index(doc("b", 1, sentences("brakes", 10)));
        long bChunks = chunksOf("b").size();
        DocumentIndexer.Result result = indexer.index(DocumentEvent.delete("a"));
        assertThat(result.deleted()).isEqualTo(1);
        assertThat(chunksOf("a")).isEmpty();
        assertThat(store.count()).isEqualTo(bChunks);
    }

    @Test
    void aBatchAppliesEachDocumentsEventsInOrder() {
        indexer.index(doc("c", 9, sentences("old", 2)));
        DocumentIndexer.Result result = indexer.apply(List.of(
                indexer.prepare(doc("a", 1, sentences("one", 10))),
                indexer.prepare(doc("b", 1, sentences("bee", 2))),
                indexer.prepare(doc("a", 2, sentences("two", 3))),
                indexer.prepare(DocumentEvent.delete("b")),
                indexer.prepare(doc("a", 1, sentences("stale", 3))),
                indexer.prepare(DocumentEvent.delete("c")),
                indexer.prepare(doc("c", 1, sentences("again", 1))),
                indexer.prepare(doc("d", 1, sentences("dee", 1)))));
        assertThat(result).isEqualTo(new DocumentIndexer.Result(4, 2, 2, 0, chunksOf("a").size() + 1));
        assertThat(chunksOf("a")).allSatisfy(hit -> assertThat(hit.chunk().text()).contains("two"));
        assertThat(chunksOf("b")).isEmpty();
        // c was deleted as of its stored version 9: an older version can never bring it back, a newer one can.
        assertThat(chunksOf("c")).isEmpty();
        assertThat(indexer.index(doc("c", 9, sentences("again", 1))).skipped()).isEqualTo(1);
        indexer.index(doc("c", 10, sentences("again", 1)));
        assertThat(chunksOf("c")).singleElement().satisfies(hit -> assertThat(hit.chunk().version()).isEqualTo(10));
    }

    @Test
    void aDeleteWithAVersionHeaderFencesOnlyUpToThatVersion() {
        indexer.index(doc("a", 3, sentences("three", 2)));
        assertThat(indexer.index(DocumentEvent.delete("a", 2)).skipped()).isEqualTo(1); // stale delete
        assertThat(chunksOf("a")).isNotEmpty();
        indexer.index(DocumentEvent.delete("a", 5));
        assertThat(chunksOf("a")).isEmpty();
        assertThat(indexer.index(doc("a", 5, sentences("five", 2))).skipped()).isEqualTo(1);
        indexer.index(doc("a", 6, sentences("six", 2)));
        assertThat(chunksOf("a")).allSatisfy(hit -> assertThat(hit.chunk().version()).isEqualTo(6)).isNotEmpty();
    }

    @Test
    void aRedeliveryOfAStoredVersionIsNotEmbeddedAgain() {
        DocumentEvent event = doc("a", 1, sentences("battery", 20));
        indexer.index(event);
        int calls = encoder.calls();
        DocumentIndexer.Result again = indexer.index(event);
        assertThat(again.unchanged()).isEqualTo(1);
        assertThat(again.chunksWritten()).isZero();
        assertThat(encoder.calls()).isEqualTo(calls);
    }

    @Test
    void limitsAreCheckedWithReasonsThatNameTheSetting() {
        var strict = new DocumentIndexer(encoder, store, TokenAwareSplitter.forEncoder(encoder, 48, 0), 8,
                IngestionLimits.DEFAULTS.withMaxChunksPerEvent(3).withMaxNestingDepth(20));
        assertThatThrownBy(() -> strict.prepare(doc("a", 1, sentences("battery", 40))))
                .isInstanceOf(EventTooLargeException.class).hasMessageContaining("max-chunks-per-event");
        String nested = ">".repeat(50) + " deep";
        assertThatThrownBy(() -> strict.prepare(DocumentEvent.upsert("m", "", nested, ContentType.MARKDOWN, Map.of(), 1)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("Markdown nests").hasMessageContaining("max-nesting-depth");
        String html = "<div>".repeat(50) + "deep" + "</div>".repeat(50);
        assertThatThrownBy(() -> strict.prepare(DocumentEvent.upsert("h", "", html, ContentType.HTML, Map.of(), 1)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("HTML nests");
        String value = "{\"text\":\"x\",\"metadata\":{\"k\":\"" + "v".repeat(40_000) + "\"},\"version\":1}";
        assertThatThrownBy(() -> strict.prepare("k", value.getBytes(java.nio.charset.StandardCharsets.UTF_8), null))
                .isInstanceOf(EventTooLargeException.class).hasMessageContaining("max-metadata-value-bytes");
        assertThatThrownBy(() -> strict.prepare("x".repeat(600), "{}".getBytes(), null))
                .isInstanceOf(EventTooLargeException.class).hasMessageContaining("max-id-bytes");
    }

    @Test
    void aDocumentTooDeepForTheStackIsRefusedNotThrownAsAnError() {
        // Tens of thousands of nested quotes: the default depth limit refuses it before any recursive walk.
        String nested = "> ".repeat(20_000) + "deep";
        assertThatThrownBy(() -> indexer.prepare(DocumentEvent.upsert("m", "", nested, ContentType.MARKDOWN, Map.of(), 1)))
                .isInstanceOf(InvalidEventException.class);
        String html = "<b>".repeat(100_000) + "deep";
        assertThatThrownBy(() -> indexer.prepare(DocumentEvent.upsert("h", "", html, ContentType.HTML, Map.of(), 1)))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void aDocumentWithoutTextAfterParsingIsInvalid() {
        assertThatThrownBy(() -> indexer.prepare(DocumentEvent.upsert("h", "", "<script>x()</script>", ContentType.HTML, Map.of(), 1)))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("no text after parsing it as text/html");
    }

    @Test
    void refusesAnEncoderAndStoreOfDifferentDimensions() {
        assertThatThrownBy(() -> new DocumentIndexer(encoder, new InMemoryChunkStore(32), TokenAwareSplitter.forEncoder(encoder, 48, 0)))
                .hasMessageContaining("64-dimensional").hasMessageContaining("32");
    }
}
