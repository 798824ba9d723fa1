package dev.ragline.retrieval.qdrant;

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
 */
public record QdrantStoreConfig(String host, int grpcPort, String apiKey, boolean useTls, String collection,
                                int dimension, int hnswM, int hnswEfConstruct, int efSearch, int upsertBatchSize,
                                List<String> indexedMetadataKeys, Duration timeout) {

    public static final int DEFAULT_GRPC_PORT = 6334;
    public static final int DEFAULT_HNSW_M = 16;
    public static final int DEFAULT_HNSW_EF_CONSTRUCT = 100;
    public static final int DEFAULT_EF_SEARCH = 100;
    public static final int DEFAULT_UPSERT_BATCH_SIZE = 256;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

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
    }

    /** Plain-text connection without API key, default HNSW and batch settings, no metadata indexes. */
    public static QdrantStoreConfig defaults(String host, int grpcPort, String collection, int dimension) {
        return new QdrantStoreConfig(host, grpcPort, null, false, collection, dimension, DEFAULT_HNSW_M,
                DEFAULT_HNSW_EF_CONSTRUCT, DEFAULT_EF_SEARCH, DEFAULT_UPSERT_BATCH_SIZE, List.of(), DEFAULT_TIMEOUT);
    }

    public QdrantStoreConfig withCredentials(String apiKey, boolean useTls) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout);
    }

    public QdrantStoreConfig withHnsw(int m, int efConstruct, int efSearch) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, m, efConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout);
    }

    public QdrantStoreConfig withUpsertBatchSize(int upsertBatchSize) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout);
    }

    public QdrantStoreConfig withIndexedMetadataKeys(List<String> keys) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, keys, timeout);
    }

    public QdrantStoreConfig withTimeout(Duration timeout) {
        return new QdrantStoreConfig(host, grpcPort, apiKey, useTls, collection, dimension, hnswM, hnswEfConstruct,
                efSearch, upsertBatchSize, indexedMetadataKeys, timeout);
    }

    @Override
    public String toString() {
        // Never print the API key.
        return "QdrantStoreConfig[host=" + host + ", grpcPort=" + grpcPort + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", useTls=" + useTls + ", collection=" + collection + ", dimension=" + dimension + ", hnswM=" + hnswM
                + ", hnswEfConstruct=" + hnswEfConstruct + ", efSearch=" + efSearch + ", upsertBatchSize="
                + upsertBatchSize + ", indexedMetadataKeys=" + indexedMetadataKeys + ", timeout=" + timeout + "]";
    }
}
