package dev.ragline.embedding;

import dev.ragline.core.Encoder;
import dev.ragline.core.HashingEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingCacheTest {
    @TempDir
    Path dir;

    @Test
    void secondCallIsServedFromDiskWithIdenticalVectors() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HashingEncoder hashing = new HashingEncoder(16, 512);
        Encoder counting = new Encoder() {
            @Override public String modelId() { return hashing.modelId(); }
            @Override public String modelSha256() { return hashing.modelSha256(); }
            @Override public int dimension() { return hashing.dimension(); }
            @Override public int maxTokens() { return hashing.maxTokens(); }
            @Override public int countTokens(String text) { return hashing.countTokens(text); }
            @Override public float[] embedQuery(String query) { return hashing.embedQuery(query); }
            @Override
            public List<float[]> embedPassages(List<String> passages) {
                calls.incrementAndGet();
                return hashing.embedPassages(passages);
            }
        };
        EmbeddingCache cache = new EmbeddingCache(dir);
        List<String> texts = List.of("where is my card", "what is my balance");
        float[][] first = cache.embed(counting, texts);
        float[][] second = cache.embed(counting, texts);
        assertThat(calls.get()).isEqualTo(1);
        assertThat(second).isDeepEqualTo(first);
        assertThat(first[0]).isEqualTo(counting.embedQuery("where is my card"));
        // other texts: another entry
        cache.embed(counting, List.of("something else"));
        assertThat(calls.get()).isEqualTo(2);
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(2);
        }
    }
}
