package dev.ragline.evaluation.retrieval;

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
import java.util.Optional;

/**
 * Document embeddings on disk, one file per key. The key is a checksum of everything that decides the vectors
 * (model sha256, corpus sha256, encoder settings), so a changed model or corpus never reads stale vectors.
 */
public final class EmbeddingCache {
    private static final int MAGIC = 0x524c4531; // "RLE1"

    public record Entry(List<String> ids, List<float[]> vectors) {
    }

    private final Path dir;

    public EmbeddingCache(Path dir) {
        this.dir = dir;
    }

    /** The cache file for these inputs; every part of the key is hashed together. */
    public Path fileFor(String... keyParts) {
        String key = Provenance.sha256(String.join("\n", keyParts).getBytes(StandardCharsets.UTF_8));
        return dir.resolve("embeddings-" + key.substring(0, 24) + ".bin");
    }

    public Optional<Entry> read(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC) throw new IllegalStateException(file + " is not an embedding cache file");
            int count = in.readInt();
            int dimension = in.readInt();
            List<String> ids = new ArrayList<>(count);
            List<float[]> vectors = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ids.add(in.readUTF());
                float[] v = new float[dimension];
                for (int d = 0; d < dimension; d++) v[d] = in.readFloat();
                vectors.add(v);
            }
            return Optional.of(new Entry(ids, vectors));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read embedding cache " + file + " (delete it to re-encode)", e);
        }
    }

    /** Writes through a temporary file and a rename, so an interrupted run never leaves a half file behind. */
    public void write(Path file, List<String> ids, List<float[]> vectors) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(ids.size());
                out.writeInt(vectors.isEmpty() ? 0 : vectors.getFirst().length);
                for (int i = 0; i < ids.size(); i++) {
                    out.writeUTF(ids.get(i));
                    for (float x : vectors.get(i)) out.writeFloat(x);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write embedding cache " + file, e);
        }
    }
}
