package dev.ragline.retrieval.langchain4j.conformance;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.ragline.embedding.EncoderConfig;
import dev.ragline.embedding.Encoders;
import dev.ragline.embedding.OnnxEncoder;
import dev.ragline.retrieval.lucene.LuceneChunkStore;
import dev.ragline.retrieval.lucene.LuceneStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantChunkStore;
import dev.ragline.retrieval.qdrant.QdrantStoreConfig;
import dev.ragline.retrieval.qdrant.QdrantTestServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Shared fixtures of the LangChain4j conformance runs: one real encoder (bge-small-en-v1.5 int8, the suites'
 * {@link EmbeddingModel}), one real Qdrant server, fresh Lucene directories and Qdrant collections.
 */
final class Conformance {
    private static OnnxEncoder encoder;
    private static QdrantTestServer qdrant;

    private Conformance() {
    }

    static synchronized EmbeddingModel model() {
        if (encoder == null) encoder = Encoders.open(EncoderConfig.of("bge-small-en-v1.5-q"));
        return encoder;
    }

    static LuceneChunkStore lucene() {
        try {
            Path dir = Files.createTempDirectory("lc4j-conformance-");
            return LuceneChunkStore.open(LuceneStoreConfig.defaults(dir, model().dimension()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static synchronized QdrantChunkStore qdrant() {
        if (qdrant == null) qdrant = QdrantTestServer.start(); // stopped by its shutdown hook when the JVM exits
        String collection = "lc4j_" + UUID.randomUUID().toString().replace("-", "");
        return QdrantChunkStore.open(QdrantStoreConfig.defaults(qdrant.host(), qdrant.grpcPort(), collection,
                model().dimension()));
    }
}
