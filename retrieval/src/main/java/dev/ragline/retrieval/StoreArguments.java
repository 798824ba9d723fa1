package dev.ragline.retrieval;

import dev.ragline.core.StoredChunk;

import java.util.List;
import java.util.Objects;

/** Argument checks every store applies before touching its index, so bad input fails the same way everywhere. */
public final class StoreArguments {
    /** Stores score by dot product, which is cosine only for unit vectors; this much norm error is tolerated. */
    private static final double NORM_TOLERANCE = 1e-3;

    private StoreArguments() {
    }

    public static void checkChunks(List<StoredChunk> chunks, int dimension) {
        Objects.requireNonNull(chunks, "chunks");
        for (StoredChunk c : chunks) {
            Objects.requireNonNull(c, "chunk");
            checkVector(c.vector(), dimension, "vector of chunk " + c.chunk().id());
        }
    }

    public static void checkQuery(float[] queryVector, int k, int dimension) {
        Objects.requireNonNull(queryVector, "queryVector");
        checkVector(queryVector, dimension, "query vector");
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, was " + k);
    }

    public static void checkVector(float[] vector, int dimension, String what) {
        if (vector.length != dimension)
            throw new IllegalArgumentException(what + " has dimension " + vector.length
                    + " but the store was created for dimension " + dimension);
        double squares = 0;
        for (float x : vector) {
            if (!Float.isFinite(x)) throw new IllegalArgumentException(what + " contains " + x);
            squares += (double) x * x;
        }
        double norm = Math.sqrt(squares);
        if (Math.abs(norm - 1) > NORM_TOLERANCE)
            throw new IllegalArgumentException(what + " must be L2-normalised, its norm is " + norm);
    }
}
