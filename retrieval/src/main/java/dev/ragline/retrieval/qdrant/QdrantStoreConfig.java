package dev.ragline.retrieval.qdrant;

import dev.ragline.retrieval.HybridConfig;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a Qdrant-backed store.
 *
 * @param host                 Qdrant host
 * @param grpcPort             Qdrant gRPC port (6334 by default; not the HTTP port 6333)
 * @param apiKey               API key, or null/blank for none
 * @param useTls               connect with TLS
 * @param collection           collection name; created when absent, refused when its vector size differs
 * @param dimension            vector dimension
 * @param hnswM                HNSW m of a collection this store creates
 * @param hnswEfConstruct      HNSW ef_construct of a collection this store creates
 * @param efSearch             hnsw_ef per query (at least k is used)
 * @param upsertBatchSize      points per upsert request
 * @param indexedMetadataKeys  metadata keys that get a keyword payload index (filter on them at scale);
 *                             {@code document_id} and {@code version} are always indexed
 * @param timeout              deadline of each gRPC call
 * @param hybrid               candidates per leg and RRF constant of keyword and hybrid searches
 * @param bm25AvgLen           the average document length (in tokens after Qdrant's BM25 analysis) that
 *                             {@code qdrant/bm25} normalises term frequencies with when points are written
 *                             (Qdrant's default is 256; set it near the corpus's real average)
 */
public record QdrantStoreConfig(String host, int grpcPort, String apiKey, boolean useTls, String collection,
                                int dimension, int hnswM, int hnswEfConstruct, int efSearch, int upsertBatchSize,
                                List<String> indexedMetadataKeys, Duration timeout, HybridConfig hybrid,
                                double bm25AvgLen) {

    public static final int DEFAULT_GRPC_PORT = 6334;
    public static final int DEFAULT_HNSW_M = 16;
    public static final int DEFAULT_HNSW_EF_CONSTRUCT = 100;
    public static final int DEFAULT_EF_SEARCH = 100;
    public static final int DEFAULT_UPSERT_BATCH_SIZE = 256;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final double DEFAULT_BM25_AVG_LEN = 256;

    public QdrantStoreConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(timeout, "timeout");
        if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
        if (collection.isBlank()) throw new IllegalArgumentException("collection must not be blank");
        if (grpcPort < 1 || grpcPort > 65535) throw new IllegalArgumentException("grpcPort out of range: " + grpcPort);
        if (dimension < 1) throw new IllegalArgumentException("dimension must be at least 1, was " + dimension);
        if (hnswM < 2) throw new IllegalArgumentException("hnswM must be at least 2, was " + hnswM);
        if (hnswEfConstruct < 4) throw new IllegalArgumentException("hnswEfConstruct must be at least 4, was " + hnswEfConstruct);
        if (efSearch < 1) throw new IllegalArgumentException("efSearch must be at least 1, was " + efSearch);
        if (upsertBatchSize < 1) throw new IllegalArgumentException("upsertBatchSize must be at least 1, was " + upsertBatchSize);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive");
        indexedMetadataKeys = indexedMetadataKeys == null ? List.of() : List.copyOf(indexedMetadataKeys);
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        hybrid = hybrid == null ? HybridConfig.defaults() : hybrid;
        if (bm25AvgLen == 0) bm25AvgLen = DEFAULT_BM25_AVG_LEN;
        if (!(bm25AvgLen > 0) || Double.isInfinite(bm25AvgLen))
            throw new IllegalArgumentException("bm25AvgLen must be positive, was " + bm25AvgLen);
    }

    /** Default hybrid settings and BM25 average length. */
    public QdrantStoreConfig(String host, int grpcPort, String apiKey, boolean useTls, String collection,
                             int dimension, int hnswM, int hnswEfConstruct, int efSearch, int upsertBatchSize,
                             List<String> indexedMetadataKeys, Duration timeout) {
        this(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct, efSearch, upsertBatchSize,
                indexedMetadataKeys, timeout, null, 0);
    }

    /** Plain-text connection without API key, default HNSW and batch settings, no metadata indexes. */
    public static QdrantStoreConfig defaults(String host, int grpcPort, String collection, int dimension) {
        return new QdrantStoreConfig(host, grpcPort, null, false, collection, dimension, DEFAULT_HNSW_M,
                DEFAULT_HNSW_EF_CONSTRUCT, DEFAULT_EF_SEARCH, DEFAULT_UPSERT_BATCH_SIZE, List.of(), DEFAULT_TIMEOUT);
    }

    public QdrantStoreConfig withCredentials(String apiKey, boolean useTls) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withHnsw(int m, int efConstruct, int efSearch) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, m, efConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withUpsertBatchSize(int upsertBatchSize) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withIndexedMetadataKeys(List<String> keys) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, keys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withTimeout(Duration timeout) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withHybrid(HybridConfig hybrid) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withBm25AvgLen(double bm25AvgLen) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    public QdrantStoreConfig withCollection(String collection) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout, hybrid, bm25AvgLen);
    }

    @Override
    public String toString() {
        // Never print the API key.
        return "QdrantStoreConfig[host=" + host + ", grpcPort=" + grpcPort + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", useTls=" + useTls + ", collection=" + collection + ", dimension=" + dimension + ", hnswM=" + hnswM
                + ", hnswEfConstruct=" + hnswEfConstruct + ", efSearch=" + efSearch + ", upsertBatchSize="
                + upsertBatchSize + ", indexedMetadataKeys=" + indexedMetadataKeys + ", timeout=" + timeout + ", hybrid=" + hybrid
                + ", bm25AvgLen=" + bm25AvgLen + "]";
    }
}
