package dev.ragline.core;

import java.util.Objects;

/** A chunk together with its (L2-normalised) embedding, as written to a {@link ChunkStore}. */
public record StoredChunk(Chunk chunk, float[] vector) {
    public StoredChunk {
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(vector, "vector");
    }
}
