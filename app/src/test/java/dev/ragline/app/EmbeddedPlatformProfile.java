package dev.ragline.app;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * The zero-setup default: in-process Kafka, Lucene on disk, the real bge encoder; fresh data per run. The reranking
 * stage is configured with the tiny test cross-encoder (a fixture, not a useful reranker) so that its plumbing runs.
 */
public class EmbeddedPlatformProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.of("ragline.data-dir", Files.createTempDirectory("ragline-app-test-").toString(),
                    "ragline.sample-corpus.publish", "true",
                    "ragline.evaluation.reports-dir", "../evaluation/src/test/resources/reports",
                    "ragline.retrieval.rerank.model", "../embedding/test-fixtures/tiny-reranker/model.onnx",
                    "ragline.retrieval.rerank.candidates", "20");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
