package dev.ragline.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

/**
 * Where a trained artifact came from: every artifact (classifier head, calibration, thresholds, decoder)
 * records one, so a result can be traced to the exact encoder, data and parameters that produced it.
 */
public record Provenance(String encoderModel, String encoderSha256, String dataset, String datasetSha256,
                         Map<String, Object> parameters, Map<String, Object> metrics, String createdAt) {

    public Provenance {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        createdAt = createdAt == null ? Instant.now().toString() : createdAt;
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
