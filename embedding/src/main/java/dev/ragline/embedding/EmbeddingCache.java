package dev.ragline.embedding;

import dev.ragline.core.Encoder;
import dev.ragline.core.Provenance;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Embeddings of a list of texts (encoded as passages) cached on disk, so that a dataset is embedded
 * once per encoder. The file name holds the encoder's model id and a SHA-256 over the encoder checksum
 * and the exact texts, so a different encoder or different data can never hit a stale entry.
 */
public final class EmbeddingCache {
    private static final int MAGIC = 0x52474c45; // "RGLE"
    private static final int BATCH = 256;

    private final Path directory;

    public EmbeddingCache(Path directory) {
        this.directory = directory;
    }

    /** Whether these texts are already cached for this encoder. */
    public boolean contains(Encoder encoder, List<String> texts) {
        return Files.exists(fileFor(encoder, texts));
    }

    public float[][] embed(Encoder encoder, List<String> texts) {
        return embed(encoder, texts, (done, total) -> { });
    }

    /** @param progress called with (texts embedded so far, total) after each batch when not cached */
    public float[][] embed(Encoder encoder, List<String> texts, BiConsumer<Integer, Integer> progress) {
        Path file = fileFor(encoder, texts);
        if (Files.exists(file)) {
            float[][] cached = read(file);
            if (cached.length == texts.size() && (cached.length == 0 || cached[0].length == encoder.dimension())) return cached;
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += BATCH) {
            out.addAll(encoder.embedPassages(texts.subList(from, Math.min(texts.size(), from + BATCH))));
            progress.accept(out.size(), texts.size());
        }
        float[][] result = out.toArray(float[][]::new);
        write(file, result);
        return result;
    }

    private Path fileFor(Encoder encoder, List<String> texts) {
        return directory.resolve(encoder.modelId().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + key(encoder, texts) + ".f32");
    }

    static String key(Encoder encoder, List<String> texts) {
        StringBuilder all = new StringBuilder(encoder.modelSha256()).append("\u0000passage");
        for (String t : texts) all.append('\u0000').append(t);
        return Provenance.sha256(all.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }

    private static float[][] read(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) throw new IOException("not an embedding cache file");
            int n = in.readInt(), d = in.readInt();
            float[][] out = new float[n][d];
            for (float[] row : out) for (int j = 0; j < d; j++) row[j] = in.readFloat();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read embedding cache " + file, e);
        }
    }

    private static void write(Path file, float[][] rows) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(rows.length);
                out.writeInt(rows.length == 0 ? 0 : rows[0].length);
                for (float[] row : rows) for (float v : row) out.writeFloat(v);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write embedding cache " + file, e);
        }
    }
}
