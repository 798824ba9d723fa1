package dev.ragline.retrieval.lucene;

import dev.ragline.retrieval.HybridConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of an embedded Lucene HNSW store.
 *
 * @param directory      where the index lives on disk (created if absent)
 * @param dimension      vector dimension; an existing index with another dimension is refused
 * @param maxConn        HNSW M: neighbours kept per node (more: better recall, bigger and slower to build)
 * @param beamWidth      HNSW ef_construction: candidates considered while linking a new node
 * @param vectorEncoding how the graph stores vectors: {@code FLOAT32}, or {@code INT8} scalar-quantized (about 4x
 *                       less memory for the graph search; the float vectors are kept on disk for exact re-scoring)
 * @param efSearch       candidates collected per query (at least k): the recall / speed knob at search time
 * @param oversample     INT8 only: collect {@code efSearch * oversample} candidates by quantized score, then re-score
 *                       them exactly with the float vectors and keep the top k
 * @param analyzer       analyzer of the BM25 text field (title, heading and text of each chunk)
 * @param hybrid         candidates per leg and RRF constant of keyword and hybrid searches
 */
public record LuceneStoreConfig(Path directory, int dimension, int maxConn, int beamWidth,
                                VectorEncoding vectorEncoding, int efSearch, double oversample,
                                KeywordAnalyzer analyzer, HybridConfig hybrid) {

    public enum VectorEncoding { FLOAT32, INT8 }

    public static final int DEFAULT_MAX_CONN = 16;
    public static final int DEFAULT_BEAM_WIDTH = 100;
    public static final int DEFAULT_EF_SEARCH = 100;
    public static final double DEFAULT_OVERSAMPLE = 2.0;
    /** Lucene's limit for the HNSW vector formats. */
    public static final int MAX_DIMENSION = 1024;

    public LuceneStoreConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(vectorEncoding, "vectorEncoding");
        if (dimension < 1 || dimension > MAX_DIMENSION)
            throw new IllegalArgumentException("dimension must be in 1.." + MAX_DIMENSION + ", was " + dimension);
        if (maxConn < 2 || maxConn > 512) throw new IllegalArgumentException("maxConn must be in 2..512, was " + maxConn);
        if (beamWidth < 1 || beamWidth > 3200)
            throw new IllegalArgumentException("beamWidth must be in 1..3200, was " + beamWidth);
        if (efSearch < 1) throw new IllegalArgumentException("efSearch must be at least 1, was " + efSearch);
        if (!(oversample >= 1.0) || oversample > 100)
            throw new IllegalArgumentException("oversample must be in 1..100, was " + oversample);
        if (analyzer == null) analyzer = KeywordAnalyzer.ENGLISH;
        if (hybrid == null) hybrid = HybridConfig.defaults();
    }

    /** English analyzer and default hybrid settings. */
    public LuceneStoreConfig(Path directory, int dimension, int maxConn, int beamWidth,
                             VectorEncoding vectorEncoding, int efSearch, double oversample) {
        this(directory, dimension, maxConn, beamWidth, vectorEncoding, efSearch, oversample, null, null);
    }

    /** Float vectors, M 16, beam 100, efSearch 100. */
    public static LuceneStoreConfig defaults(Path directory, int dimension) {
        return new LuceneStoreConfig(directory, dimension, DEFAULT_MAX_CONN, DEFAULT_BEAM_WIDTH,
                VectorEncoding.FLOAT32, DEFAULT_EF_SEARCH, DEFAULT_OVERSAMPLE, null, null);
    }

    public LuceneStoreConfig withHnsw(int maxConn, int beamWidth) {
        return new LuceneStoreConfig(directory, dimension, maxConn, beamWidth, vectorEncoding, efSearch, oversample, analyzer, hybrid);
    }

    public LuceneStoreConfig withEfSearch(int efSearch) {
        return new LuceneStoreConfig(directory, dimension, maxConn, beamWidth, vectorEncoding, efSearch, oversample, analyzer, hybrid);
    }

    public LuceneStoreConfig withFloat32() {
        return new LuceneStoreConfig(directory, dimension, maxConn, beamWidth, VectorEncoding.FLOAT32, efSearch, oversample, analyzer, hybrid);
    }

    public LuceneStoreConfig withInt8(double oversample) {
        return new LuceneStoreConfig(directory, dimension, maxConn, beamWidth, VectorEncoding.INT8, efSearch, oversample, analyzer, hybrid);
    }

    public LuceneStoreConfig withAnalyzer(KeywordAnalyzer analyzer) {
        return new LuceneStoreConfig(directory, dimension, maxConn, beamWidth, vectorEncoding, efSearch, oversample,
                analyzer, hybrid);
    }

    public LuceneStoreConfig withHybrid(HybridConfig hybrid) {
        return new LuceneStoreConfig(directory, dimension, maxConn, beamWidth, vectorEncoding, efSearch, oversample,
                analyzer, hybrid);
    }
}
