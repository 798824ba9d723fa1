package dev.ragline.embedding;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.ragline.core.Vectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Real ONNX models from the LangChain4j model jars; LangChain4j's own models are the reference. */
class OnnxEncoderTest {
    private static final List<String> TEXTS = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Aspirin inhibits the cyclooxygenase enzymes and thereby reduces prostaglandin synthesis.",
            "Kafka keeps the events of one key in order within a partition, so a consumer sees updates in sequence.",
            "Short.");

    private static OnnxEncoder bge;
    private static OnnxEncoder miniLm;

    @BeforeAll
    static void open() {
        bge = Encoders.open(EncoderConfig.defaults().withBatchSize(4));
        miniLm = Encoders.open(EncoderConfig.of("all-minilm-l6-v2"));
    }

    @AfterAll
    static void close() {
        bge.close();
        miniLm.close();
    }

    @Test
    void closeIsIdempotent() {
        OnnxEncoder encoder = Encoders.open(EncoderConfig.of("all-minilm-l6-v2-q"));
        assertThat(encoder.embedQuery("hello")).hasSize(384);
        encoder.close();
        encoder.close(); // a second close (LangChain4j and try-with-resources both closing) is a no-op
    }

    @Test
    void describesTheModel() {
        assertThat(bge.modelId()).isEqualTo("bge-small-en-v1.5");
        assertThat(bge.dimension()).isEqualTo(384);
        assertThat(bge.maxTokens()).isEqualTo(512);
        assertThat(bge.pooling()).isEqualTo(Pooling.CLS);
        assertThat(bge.modelSha256()).matches("[0-9a-f]{64}").isNotEqualTo(miniLm.modelSha256());
        assertThat(miniLm.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(miniLm.dimension()).isEqualTo(384);
    }

    @Test
    void bgeAgreesWithLangChain4jsOwnModel() {
        assertAgrees(bge, new BgeSmallEnV15EmbeddingModel());
    }

    @Test
    void miniLmMeanPoolingAgreesWithLangChain4jsOwnModel() {
        assertAgrees(miniLm, new AllMiniLmL6V2EmbeddingModel());
    }

    private static void assertAgrees(OnnxEncoder ours, EmbeddingModel reference) {
        List<float[]> vectors = ours.embedPassages(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] expected = reference.embed(TEXTS.get(i)).content().vector();
            assertThat(Vectors.dot(vectors.get(i), expected)).as(TEXTS.get(i)).isGreaterThan(0.999f);
        }
    }

    @Test
    void batchedEqualsOneByOneAndKeepsOrder() {
        // Different lengths, so batches are sorted, padded and written back in the caller's order.
        List<String> texts = new ArrayList<>(TEXTS);
        texts.add(String.join(" ", TEXTS));
        List<float[]> batched = bge.embedPassages(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] single = bge.embedPassages(List.of(texts.get(i))).getFirst();
            assertThat(batched.get(i)).as(texts.get(i)).containsExactly(single, within(1e-4f));
        }
        List<float[]> miniBatched = miniLm.embedPassages(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] single = miniLm.embedPassages(List.of(texts.get(i))).getFirst();
            assertThat(miniBatched.get(i)).as(texts.get(i)).containsExactly(single, within(1e-4f));
        }
    }

    @Test
    void vectorsHaveUnitNorm() {
        for (float[] v : bge.embedPassages(TEXTS)) assertThat(Vectors.dot(v, v)).isCloseTo(1f, within(1e-5f));
        for (float[] v : miniLm.embedPassages(TEXTS)) assertThat(Vectors.dot(v, v)).isCloseTo(1f, within(1e-5f));
        float[] q = bge.embedQuery("what does aspirin inhibit?");
        assertThat(Vectors.dot(q, q)).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void queryInstructionChangesOnlyBgeQueries() {
        String query = "what does aspirin inhibit?";
        float[] asPassage = bge.embedPassages(List.of(query)).getFirst();
        float[] asQuery = bge.embedQuery(query);
        assertThat(bge.queryInstruction()).isEqualTo(KnownModel.BGE_QUERY_INSTRUCTION);
        assertThat(Vectors.dot(asPassage, asQuery)).isLessThan(0.99f);
        // Same as prefixing the instruction by hand.
        assertThat(asQuery).containsExactly(
                bge.embedPassages(List.of(KnownModel.BGE_QUERY_INSTRUCTION + query)).getFirst(), within(1e-5f));

        assertThat(miniLm.queryInstruction()).isEmpty();
        assertThat(miniLm.embedQuery(query)).containsExactly(miniLm.embedPassages(List.of(query)).getFirst(), within(1e-6f));

        try (OnnxEncoder off = Encoders.open(EncoderConfig.of("bge-small-en-v1.5-q").withQueryInstruction(false))) {
            assertThat(off.queryInstruction()).isEmpty();
            assertThat(off.embedQuery(query)).containsExactly(off.embedPassages(List.of(query)).getFirst(), within(1e-6f));
            // int8 stays close to fp32.
            assertThat(Vectors.dot(off.embedQuery(query), asPassage)).isGreaterThan(0.95f);
        }
    }

    @Test
    void countTokensIncludesSpecialTokensAndDoesNotTruncate() {
        assertThat(bge.countTokens("hello world")).isEqualTo(4); // [CLS] hello world [SEP]
        assertThat(bge.countTokens("")).isEqualTo(2);
        String longText = words(300);
        // all-MiniLM's tokenizer.json truncates at 128; counting must not.
        assertThat(miniLm.countTokens(longText)).isEqualTo(302);
        assertThat(miniLm.maxTokens()).isEqualTo(256);
    }

    @Test
    void overLongTextIsTruncatedAndCounted() {
        String longText = words(600);
        assertThat(bge.countTokens(longText)).isGreaterThan(bge.maxTokens());
        long before = bge.truncatedTexts();
        float[] truncated = bge.embedPassages(List.of(longText, "a short text")).getFirst();
        assertThat(bge.truncatedTexts() - before).isEqualTo(1);
        // Only the first 512 tokens are seen: a different tail leaves the vector unchanged.
        float[] otherTail = bge.embedPassages(List.of(longText + " entirely different ending words")).getFirst();
        assertThat(otherTail).containsExactly(truncated, within(1e-5f));
        assertThat(bge.truncatedTexts() - before).isEqualTo(2);
    }

    @Test
    void similarTextsScoreAboveUnrelatedOnes() {
        List<float[]> v = bge.embedPassages(List.of(
                "How do I reset my password?",
                "Steps to change the password of your account",
                "The mitochondrion produces most of the cell's chemical energy."));
        assertThat(Vectors.dot(v.get(0), v.get(1))).isGreaterThan(Vectors.dot(v.get(0), v.get(2)) + 0.1f);
        float[] q = bge.embedQuery("what organelle makes energy for the cell");
        assertThat(Vectors.dot(q, v.get(2))).isGreaterThan(Vectors.dot(q, v.get(0)));
    }

    @Test
    void listenerSeesEveryBatch() {
        List<int[]> batches = new ArrayList<>();
        try (OnnxEncoder encoder = Encoders.open(EncoderConfig.of("all-minilm-l6-v2-q").withBatchSize(2))) {
            encoder.addBatchListener((size, tokens, nanos) -> {
                assertThat(nanos).isPositive();
                batches.add(new int[]{size, tokens});
            });
            encoder.embedPassages(TEXTS.subList(0, 3));
            assertThat(batches).extracting(b -> b[0]).containsExactly(2, 1);
            int expectedTokens = TEXTS.subList(0, 3).stream().mapToInt(encoder::countTokens).sum();
            assertThat(batches.stream().mapToInt(b -> b[1]).sum()).isEqualTo(expectedTokens);
        }
    }

    @Test
    void implementsLangChain4jEmbeddingModel() {
        EmbeddingModel model = bge;
        var response = model.embedAll(TEXTS.stream().map(TextSegment::from).toList());
        List<float[]> direct = bge.embedPassages(TEXTS);
        for (int i = 0; i < TEXTS.size(); i++)
            assertThat(response.content().get(i).vector()).containsExactly(direct.get(i), within(1e-6f));
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(TEXTS.stream().mapToInt(bge::countTokens).sum());
        assertThat(model.dimension()).isEqualTo(384);
        assertThat(model.modelName()).isEqualTo("bge-small-en-v1.5");
    }

    @Test
    void opensAModelGivenByPath(@TempDir Path dir) throws Exception {
        copyResource("all-minilm-l6-v2-q.onnx", dir.resolve("model.onnx"));
        copyResource("all-minilm-l6-v2-q-tokenizer.json", dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> Encoders.open(EncoderConfig.of(dir.toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pooling");
        try (OnnxEncoder byPath = Encoders.open(EncoderConfig.of(dir.toString()).withPooling(Pooling.MEAN).withMaxTokens(256));
             OnnxEncoder known = Encoders.open(EncoderConfig.of("all-minilm-l6-v2-q"))) {
            assertThat(byPath.modelSha256()).isEqualTo(known.modelSha256());
            assertThat(byPath.maxTokens()).isEqualTo(256);
            List<float[]> a = byPath.embedPassages(TEXTS);
            List<float[]> b = known.embedPassages(TEXTS);
            for (int i = 0; i < TEXTS.size(); i++) assertThat(a.get(i)).containsExactly(b.get(i), within(1e-6f));
        }
    }

    @Test
    void cudaFallsBackToCpuWhenTheProviderIsMissing() {
        // The default build carries the CPU runtime only, so adding CUDA fails and the encoder must still work.
        try (OnnxEncoder encoder = Encoders.open(EncoderConfig.of("all-minilm-l6-v2-q").withDevice(Device.CUDA)
                .withIntraOpThreads(1))) {
            assertThat(encoder.executionProvider()).isEqualTo("CPU");
            assertThat(encoder.embedPassages(List.of("still works"))).hasSize(1);
        }
    }

    @Test
    void badInputGetsAClearError() {
        assertThatThrownBy(() -> bge.embedPassages(List.of("fine", "  ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text 1 is blank");
        assertThatThrownBy(() -> Encoders.open(EncoderConfig.of("no-such-model")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither a known model");
        assertThat(bge.embedPassages(List.of())).isEmpty();
    }

    private static String words(int n) {
        return IntStream.range(0, n).mapToObj(i -> "word").collect(Collectors.joining(" "));
    }

    private static void copyResource(String name, Path target) throws Exception {
        try (InputStream in = OnnxEncoderTest.class.getClassLoader().getResourceAsStream(name)) {
            Files.copy(in, target);
        }
    }
}
