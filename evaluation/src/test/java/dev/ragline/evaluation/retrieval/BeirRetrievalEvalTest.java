package dev.ragline.evaluation.retrieval;

import dev.ragline.core.InMemoryChunkStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** End to end on the committed BEIR-layout fixture (src/test/resources/beir-mini) with the real bge encoder. */
class BeirRetrievalEvalTest {
    private static final Path FIXTURE = Path.of("src/test/resources/beir-mini");

    @Test
    void loadsTheBeirLayout() {
        BeirDataset data = BeirDataset.load(FIXTURE, "test");
        assertThat(data.documents()).hasSize(12);
        assertThat(data.documents().get("d01")).startsWith("Sourdough bread A sourdough starter");
        assertThat(data.queries()).hasSize(8).doesNotContainKey("q9"); // unjudged query dropped
        assertThat(data.qrels().get("q5")).isEqualTo(Map.of("d06", 2, "d11", 1));
        assertThat(data.corpusSha256()).matches("[0-9a-f]{64}");
    }

    @Test
    void runsEndToEndWithARealEncoderAndReusesTheCache(@TempDir Path cache) {
        var options = new BeirRetrievalEval.Options(FIXTURE, "bge-small-en-v1.5", null, "test",
                BeirRetrievalEval.InstructionMode.BOTH, cache, 1, 8);
        var first = BeirRetrievalEval.run(options);
        assertThat(first.documents()).isEqualTo(12);
        assertThat(first.queries()).isEqualTo(8);
        assertThat(first.documentsFromCache()).isFalse();
        assertThat(first.rows()).containsOnlyKeys("with instruction", "without instruction");
        // The fixture's queries are easy paraphrases of one document each: bge must rank them first nearly always.
        first.rows().values().forEach(s -> {
            assertThat(s.ndcg10()).isGreaterThan(0.9).isLessThanOrEqualTo(1.0);
            assertThat(s.recall100()).isEqualTo(1.0); // 12 documents, all retrieved
            assertThat(s.mrr10()).isGreaterThan(0.9);
            assertThat(s.queries()).isEqualTo(8);
        });

        var second = BeirRetrievalEval.run(options);
        assertThat(second.documentsFromCache()).isTrue();
        assertThat(second.rows()).isEqualTo(first.rows());
        String table = BeirRetrievalEval.format(second);
        assertThat(table).contains("nDCG@10", "recall@100", "MRR@10", "with instruction", "from cache");
    }

    /** The shipped distilled query encoder's queries become an extra row against the same bge documents. */
    @Test
    void aDistilledQueryEncoderIsScoredBesideItsTeacher(@TempDir Path cache) {
        Path student = Path.of("..", "embedding", "models", "bge-small-en-v1.5-query-4l");
        var options = new BeirRetrievalEval.Options(FIXTURE, "bge-small-en-v1.5", null, "test",
                BeirRetrievalEval.InstructionMode.OFF, cache, 1, 8, student);
        var result = BeirRetrievalEval.run(options);
        String row = BeirRetrievalEval.queryEncoderRow(student);
        assertThat(row).isEqualTo("query encoder bge-small-en-v1.5-query-4l");
        assertThat(result.rows()).containsOnlyKeys("without instruction", row);
        assertThat(result.rows().get(row).ndcg10()).isGreaterThan(0.8);
        assertThat(result.rows().get(row).queries()).isEqualTo(8);
        assertThat(BeirRetrievalEval.parse(new String[]{"--data", FIXTURE.toString(), "--query-model", student.toString()})
                .queryModel()).isEqualTo(student);
    }

    @Test
    void aChunkStoreCanReplaceExactSearch(@TempDir Path cache) {
        var options = new BeirRetrievalEval.Options(FIXTURE, "all-minilm-l6-v2-q", null, "test",
                BeirRetrievalEval.InstructionMode.BOTH, cache, 1, 8);
        var exact = BeirRetrievalEval.run(options);
        var store = new InMemoryChunkStore(384);
        var viaStore = BeirRetrievalEval.run(options,
                docs -> ChunkStoreRetriever.index(store, docs.ids(), docs.texts(), docs.vectors()));
        assertThat(store.count()).isEqualTo(12);
        assertThat(exact.rows()).containsOnlyKeys("no instruction"); // MiniLM has no query instruction
        assertThat(viaStore.rows().get("no instruction").ndcg10())
                .isCloseTo(exact.rows().get("no instruction").ndcg10(), org.assertj.core.api.Assertions.within(1e-9));
    }

    @Test
    void exactSearchRanksByCosineAndBreaksTiesLikeTrecEval() {
        var search = new ExactSearch(List.of("a", "b", "c", "d"), List.of(
                new float[]{1, 0}, new float[]{0, 1}, new float[]{0.6f, 0.8f}, new float[]{0, 1}));
        assertThat(search.search(new float[]{0, 1}, 3)).containsExactly("d", "b", "c");
        assertThat(search.search(new float[]{1, 0}, 10)).containsExactly("a", "c", "d", "b");
    }

    @Test
    void mainPrintsTheTableAndRejectsBadArguments(@TempDir Path cache) {
        assertThatThrownBy(() -> BeirRetrievalEval.parse(new String[]{"--model", "x"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--data");
        assertThatThrownBy(() -> BeirRetrievalEval.parse(new String[]{"--data", "x", "--bogus", "1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown options");
        assertThatThrownBy(() -> BeirDataset.load(cache, "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corpus.jsonl is missing");

        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            BeirRetrievalEval.main(new String[]{"--data", FIXTURE.toString(), "--model", "bge-small-en-v1.5-q",
                    "--instruction", "on", "--cache", cache.toString(), "--threads", "1"});
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        assertThat(out).contains("model bge-small-en-v1.5-q", "with instruction").doesNotContain("without instruction");
        assertThat(Files.exists(cache)).isTrue();
    }
}
