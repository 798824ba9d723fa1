package dev.ragline.app;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** The zero-setup default: in-process Kafka, Lucene on disk, the real bge encoder; fresh data per run. */
public class EmbeddedPlatformProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            return Map.of("ragline.data-dir", Files.createTempDirectory("ragline-app-test-").toString(),
                    "ragline.sample-corpus.publish", "true",
                    "ragline.evaluation.reports-dir", "../evaluation/src/test/resources/reports");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
