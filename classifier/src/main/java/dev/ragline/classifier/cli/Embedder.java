package dev.ragline.classifier.cli;

import dev.ragline.embedding.EmbeddingCache;
import dev.ragline.classifier.data.LabeledText;
import dev.ragline.classifier.train.LabeledEmbeddings;
import dev.ragline.core.Encoder;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The CLI's encoder (opened through the embedding module) plus the on-disk embedding cache. */
final class Embedder implements AutoCloseable {
    static final Path DEFAULT_CACHE = Path.of(System.getProperty("user.home"), ".cache", "ragline", "embeddings");

    private final Encoder encoder;
    private final AutoCloseable closeable;
    private final EmbeddingCache cache;

    Embedder(String model, int threads, Path cacheDir) {
        var onnx = Encoders.open(EncoderConfig.of(model).withIntraOpThreads(threads));
        this.encoder = onnx;
        this.closeable = onnx;
        this.cache = new EmbeddingCache(cacheDir);
    }

    Encoder encoder() {
        return encoder;
    }

    LabeledEmbeddings embed(String name, List<LabeledText> rows) {
        long start = System.nanoTime();
        float[][] x = cache.embed(encoder, rows.stream().map(LabeledText::text).toList(), (done, total) -> {
            if (done % 2048 < 256 || done.equals(total))
                System.err.printf(Locale.ROOT, "  embedding %s: %d/%d (%.0f s)%n", name, done, total, (System.nanoTime() - start) / 1e9);
        });
        return new LabeledEmbeddings(x, rows.stream().map(LabeledText::label).toList());
    }

    @Override
    public void close() throws Exception {
        closeable.close();
    }
}
