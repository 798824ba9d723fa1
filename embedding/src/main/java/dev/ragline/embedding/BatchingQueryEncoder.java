package dev.ragline.embedding;

import dev.ragline.core.Encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Encodes concurrent {@link #embedQuery} calls together: callers queue their query and wait; one worker thread takes
 * whatever has queued (up to {@code maxBatch}, waiting at most {@code maxWaitMicros} for more after the first) and
 * encodes it with one {@link Encoder#embedQueries} call. With one client this adds at most the wait; with many it
 * replaces many small encoder runs by a few batched ones. Everything else delegates. Thread-safe; close it to stop
 * the worker (queued queries are still answered).
 */
public final class BatchingQueryEncoder implements Encoder, AutoCloseable {
    private record Pending(String query, CompletableFuture<float[]> result) {
    }

    private final Encoder delegate;
    private final int maxBatch;
    private final long maxWaitMicros;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    public BatchingQueryEncoder(Encoder delegate, int maxBatch, long maxWaitMicros) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        if (maxWaitMicros < 0) throw new IllegalArgumentException("maxWaitMicros must not be negative");
        this.delegate = delegate;
        this.maxBatch = maxBatch;
        this.maxWaitMicros = maxWaitMicros;
        this.worker = Thread.ofPlatform().daemon().name("query-encoder-batcher").start(this::run);
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitMicros * 1_000;
                while (batch.size() < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) break;
                    batch.add(next);
                }
                encode(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void encode(List<Pending> batch) {
        try {
            List<float[]> vectors = delegate.embedQueries(batch.stream().map(Pending::query).toList());
            for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(vectors.get(i));
        } catch (RuntimeException | Error e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }

    @Override
    public float[] embedQuery(String query) {
        if (closed) throw new IllegalStateException("batching query encoder is closed");
        CompletableFuture<float[]> result = new CompletableFuture<>();
        queue.add(new Pending(query, result));
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    @Override public String modelId() { return delegate.modelId(); }
    @Override public String modelSha256() { return delegate.modelSha256(); }
    @Override public int dimension() { return delegate.dimension(); }
    @Override public int maxTokens() { return delegate.maxTokens(); }
    @Override public List<float[]> embedPassages(List<String> passages) { return delegate.embedPassages(passages); }
    @Override public List<float[]> embedQueries(List<String> queries) { return delegate.embedQueries(queries); }
    @Override public int countTokens(String text) { return delegate.countTokens(text); }

    @Override
    public void close() {
        closed = true;
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
