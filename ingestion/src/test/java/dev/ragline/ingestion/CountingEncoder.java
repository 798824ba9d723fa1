package dev.ragline.ingestion;

import dev.ragline.core.Encoder;
import dev.ragline.core.HashingEncoder;
import dev.ragline.core.TokenCounter;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The hashing test encoder, counting the passages it embeds (to prove what is not embedded again). */
public final class CountingEncoder implements Encoder, TokenCounter {
    private final HashingEncoder delegate;
    private final AtomicInteger passages = new AtomicInteger();

    public CountingEncoder(int dimension, int maxTokens) {
        delegate = new HashingEncoder(dimension, maxTokens);
    }

    /** Passages embedded so far. */
    public int calls() {
        return passages.get();
    }

    @Override public String modelId() { return delegate.modelId(); }
    @Override public String modelSha256() { return delegate.modelSha256(); }
    @Override public int dimension() { return delegate.dimension(); }
    @Override public int maxTokens() { return delegate.maxTokens(); }
    @Override public float[] embedQuery(String query) { return delegate.embedQuery(query); }
    @Override public int countTokens(String text) { return delegate.countTokens(text); }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        passages.addAndGet(texts.size());
        return delegate.embedPassages(texts);
    }
}
