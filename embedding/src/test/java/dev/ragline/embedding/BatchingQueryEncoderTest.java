package dev.ragline.embedding;

import dev.ragline.core.Encoder;
import dev.ragline.core.HashingEncoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchingQueryEncoderTest {

    /** Delegates to a hashing encoder; batched calls can be slowed down, counted or made to fail. */
    private static class SlowEncoder implements Encoder {
        final HashingEncoder hashing = new HashingEncoder();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public List<float[]> embedQueries(List<String> queries) {
            calls.incrementAndGet();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return hashing.embedQueries(queries);
        }

        @Override public String modelId() { return hashing.modelId(); }
        @Override public String modelSha256() { return hashing.modelSha256(); }
        @Override public int dimension() { return hashing.dimension(); }
        @Override public int maxTokens() { return hashing.maxTokens(); }
        @Override public List<float[]> embedPassages(List<String> passages) { return hashing.embedPassages(passages); }
        @Override public float[] embedQuery(String query) { return hashing.embedQuery(query); }
        @Override public int countTokens(String text) { return hashing.countTokens(text); }
    }

    @Test
    void concurrentQueriesAreEncodedTogetherAndEachGetsItsOwnVector() throws Exception {
        SlowEncoder slow = new SlowEncoder();
        HashingEncoder reference = new HashingEncoder();
        try (BatchingQueryEncoder batching = new BatchingQueryEncoder(slow, 16, 2_000);
             ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String text = "query number " + i;
                futures.add(pool.submit(() -> batching.embedQuery(text)));
            }
            for (int i = 0; i < 64; i++)
                assertThat(futures.get(i).get()).containsExactly(reference.embedQuery("query number " + i));
            assertThat(slow.calls.get()).as("encoder runs for 64 queries from 16 clients").isLessThan(32);
        }
    }

    @Test
    void failuresReachTheCallerAndAClosedEncoderRefuses() {
        SlowEncoder failing = new SlowEncoder() {
            @Override
            public List<float[]> embedQueries(List<String> queries) {
                throw new IllegalStateException("model crashed");
            }
        };
        BatchingQueryEncoder batching = new BatchingQueryEncoder(failing, 4, 100);
        assertThatThrownBy(() -> batching.embedQuery("x")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("model crashed");
        batching.close();
        batching.close();
        assertThatThrownBy(() -> batching.embedQuery("x")).hasMessageContaining("closed");
    }
}
