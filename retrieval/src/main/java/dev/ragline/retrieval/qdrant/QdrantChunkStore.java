package dev.ragline.retrieval.qdrant;

import static dev.ragline.retrieval.StoredFields.*;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.StoredChunk;
import dev.ragline.retrieval.StoreArguments;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.WriteOrdering;
import io.qdrant.client.grpc.Points.WriteOrderingType;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.OrderBy;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.UpsertPoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

import static io.qdrant.client.ConditionFactory.match;
import static io.qdrant.client.ConditionFactory.matchKeyword;
import static io.qdrant.client.ConditionFactory.matchKeywords;
import static io.qdrant.client.ConditionFactory.range;
import static io.qdrant.client.PointIdFactory.id;
import static io.qdrant.client.QueryFactory.nearest;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorsFactory.vectors;
import static io.qdrant.client.WithPayloadSelectorFactory.enable;
import static io.qdrant.client.WithPayloadSelectorFactory.include;

/**
 * Chunk store on a Qdrant collection through the official gRPC client. One point per chunk: the point id is the
 * chunk id (a UUID, see {@link Chunk#idFor}); the payload holds the chunk fields and the user metadata as a nested
 * object {@code meta}, so the metadata key {@code k} is filtered as the payload path {@code meta.k}.
 *
 * <p>Writes use {@code wait=true}: when a call returns, Qdrant has applied and logged it. Failures: bad input throws
 * {@link IllegalArgumentException}, a collection that does not fit throws {@link IllegalStateException}, a failed
 * call to Qdrant (unreachable, deadline) throws {@link UncheckedIOException}. Thread-safe.
 */
public final class QdrantChunkStore implements ChunkStore {
    private static final Logger LOG = LoggerFactory.getLogger(QdrantChunkStore.class);

    static final String META = "meta";
    /** Deletion markers live in a collection of their own, named after the chunk collection with this suffix. */
    public static final String MARKERS_SUFFIX = "__deleted";
    /** Keys that can stand unquoted in a Qdrant payload path. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_]+");

    private final QdrantStoreConfig config;
    private final QdrantClient client;

    private QdrantChunkStore(QdrantStoreConfig config, QdrantClient client) {
        this.config = config;
        this.client = client;
    }

    /** Connects, creates the collection and its payload indexes if absent, and checks an existing one fits. */
    public static QdrantChunkStore open(QdrantStoreConfig config) {
        QdrantGrpcClient.Builder grpc = QdrantGrpcClient.newBuilder(config.host(), config.grpcPort(), config.useTls())
                .withTimeout(config.timeout());
        if (config.apiKey() != null) grpc.withApiKey(config.apiKey());
        QdrantClient client = new QdrantClient(grpc.build());
        QdrantChunkStore store = new QdrantChunkStore(config, client);
        try {
            store.prepareCollection();
            return store;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void prepareCollection() {
        String name = config.collection();
        if (!call("check collection", client.collectionExistsAsync(name))) {
            try {
                call("create collection", client.createCollectionAsync(CreateCollection.newBuilder()
                        .setCollectionName(name)
                        .setVectorsConfig(VectorsConfig.newBuilder().setParams(VectorParams.newBuilder()
                                .setSize(config.dimension()).setDistance(Distance.Cosine)))
                        .setHnswConfig(HnswConfigDiff.newBuilder()
                                .setM(config.hnswM()).setEfConstruct(config.hnswEfConstruct()))
                        .build()));
                LOG.info("Created Qdrant collection {} (dimension {}, cosine, m {}, ef_construct {})",
                        name, config.dimension(), config.hnswM(), config.hnswEfConstruct());
            } catch (UncheckedIOException e) {
                // Another instance may have created it in the meantime; the check below decides.
                if (!call("check collection", client.collectionExistsAsync(name))) throw e;
            }
        }
        checkCollectionFits(call("read collection info", client.getCollectionInfoAsync(name)));
        prepareMarkerCollection();
        // Idempotent: creating an index that exists is a no-op, so newly configured keys get theirs too.
        createPayloadIndex(DOCUMENT_ID, PayloadSchemaType.Keyword);
        createPayloadIndex(VERSION, PayloadSchemaType.Integer);
        for (String key : config.indexedMetadataKeys()) createPayloadIndex(metadataPath(key), PayloadSchemaType.Keyword);
    }

    /** Deletion markers: one point per deleted document (a 1-dimensional dummy vector), payload id and version. */
    private void prepareMarkerCollection() {
        String markers = markerCollection();
        if (!call("check collection", client.collectionExistsAsync(markers))) {
            try {
                call("create collection", client.createCollectionAsync(markers,
                        VectorParams.newBuilder().setSize(1).setDistance(Distance.Dot).build()));
            } catch (UncheckedIOException e) {
                if (!call("check collection", client.collectionExistsAsync(markers))) throw e;
            }
        }
        call("create payload index " + DOCUMENT_ID, client.createPayloadIndexAsync(markers, DOCUMENT_ID,
                PayloadSchemaType.Keyword, null, true, null, null));
    }

    private String markerCollection() {
        return config.collection() + MARKERS_SUFFIX;
    }

    private static UUID markerId(String documentId) {
        return UUID.nameUUIDFromBytes(("deleted\u0000" + documentId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Applies the writes with {@code wait=true} and strong write ordering: deletion markers first (one request),
     * then the new chunks (upserts of at most {@code upsertBatchSize} points per request), then, in the last
     * request of the batch, one delete of every replaced document's lower versions and every deleted document's
     * chunks. So a document is never missing; between the upsert and the delete a search may see both versions
     * for the time of one request, and a crash in between leaves the old version's chunks, which the redelivered
     * batch removes. Writes that the stored versions fence (see {@link DocumentWrite}) are skipped; that check and
     * the write are two requests, so two writers of one document must be kept apart by the caller (Kafka's
     * one-partition-one-consumer rule, plus the consumer's assignment checks).
     */
    @Override
    public void write(List<DocumentWrite> writes) {
        if (writes.isEmpty()) return;
        Map<String, DocumentState> states = documentStates(writes.stream().map(DocumentWrite::documentId).distinct().toList());
        Map<String, long[]> known = new HashMap<>();
        states.forEach((id, st) -> known.put(id, new long[] {st.liveVersion().orElse(Long.MIN_VALUE), st.deletedVersion().orElse(Long.MIN_VALUE)}));
        List<PointStruct> markers = new ArrayList<>();
        List<PointStruct> upserts = new ArrayList<>();
        Filter.Builder removals = Filter.newBuilder();
        int removalCount = 0;
        io.qdrant.client.grpc.Points.PointsIdsList.Builder tails = io.qdrant.client.grpc.Points.PointsIdsList.newBuilder();
        for (DocumentWrite w : writes) {
            long[] k = known.get(w.documentId());
            Condition ofDocument = matchKeyword(DOCUMENT_ID, w.documentId());
            switch (w) {
                case DocumentWrite.Replace r -> {
                    if (k[0] > r.version() || k[1] >= r.version()) continue;
                    StoreArguments.checkChunks(r.chunks(), config.dimension());
                    r.chunks().forEach(c -> upserts.add(toPoint(c)));
                    removals.addShould(io.qdrant.client.ConditionFactory.filter(Filter.newBuilder().addMust(ofDocument)
                            .addMust(range(VERSION, Range.newBuilder().setLt(r.version()).build())).build()));
                    removalCount++;
                    int stored = states.get(r.documentId()).chunksPerVersion().getOrDefault(r.version(), 0);
                    // Same version, fewer chunks than stored (content changed without a new version): drop the tail.
                    for (int c = r.chunks().size(); !r.chunks().isEmpty() && c < stored; c++)
                        tails.addIds(id(pointId(Chunk.idFor(r.documentId(), r.version(), c))));
                    if (!r.chunks().isEmpty()) k[0] = r.version();
                }
                case DocumentWrite.Delete d -> {
                    if (k[0] > d.version()) continue;
                    long markerVersion = Math.max(d.version(), k[1]);
                    markers.add(PointStruct.newBuilder().setId(id(markerId(d.documentId()))).setVectors(vectors(1f))
                            .putPayload(DOCUMENT_ID, value(d.documentId())).putPayload(VERSION, value(markerVersion)).build());
                    removals.addShould(io.qdrant.client.ConditionFactory.filter(Filter.newBuilder().addMust(ofDocument)
                            .addMust(range(VERSION, Range.newBuilder().setLte(d.version()).build())).build()));
                    removalCount++;
                    k[0] = Long.MIN_VALUE;
                    k[1] = markerVersion;
                }
            }
        }
        WriteOrdering strong = WriteOrdering.newBuilder().setType(WriteOrderingType.Strong).build();
        if (!markers.isEmpty()) {
            call("write deletion markers", client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(markerCollection())
                    .setWait(true).setOrdering(strong).addAllPoints(markers).build()));
        }
        List<PointsUpdateOperation> last = new ArrayList<>();
        for (int from = 0; from < upserts.size(); from += config.upsertBatchSize()) {
            List<PointStruct> part = upserts.subList(from, Math.min(upserts.size(), from + config.upsertBatchSize()));
            PointsUpdateOperation op = PointsUpdateOperation.newBuilder()
                    .setUpsert(PointsUpdateOperation.PointStructList.newBuilder().addAllPoints(part)).build();
            if (from + config.upsertBatchSize() >= upserts.size()) last.add(op);
            else flush(new ArrayList<>(List.of(op)));
        }
        if (removalCount > 0) last.add(deleteWhere(removals.build()));
        if (tails.getIdsCount() > 0) last.add(PointsUpdateOperation.newBuilder().setDeletePoints(
                PointsUpdateOperation.DeletePoints.newBuilder().setPoints(PointsSelector.newBuilder().setPoints(tails))).build());
        flush(last);
    }

    private static PointsUpdateOperation deleteWhere(Filter filter) {
        return PointsUpdateOperation.newBuilder().setDeletePoints(PointsUpdateOperation.DeletePoints.newBuilder()
                .setPoints(PointsSelector.newBuilder().setFilter(filter))).build();
    }

    private void flush(List<PointsUpdateOperation> operations) {
        if (operations.isEmpty()) return;
        call("batch update", client.batchUpdateAsync(config.collection(), List.copyOf(operations), true,
                WriteOrdering.newBuilder().setType(WriteOrderingType.Strong).build(), null));
        operations.clear();
    }

    @Override
    public Map<String, DocumentState> documentStates(Collection<String> documentIds) {
        Map<String, Map<Long, Integer>> perVersion = new LinkedHashMap<>();
        for (String id : documentIds) perVersion.put(id, new TreeMap<>());
        List<String> ids = List.copyOf(perVersion.keySet());
        if (ids.isEmpty()) return Map.of();
        PointId offset = null;
        do {
            ScrollPoints.Builder scroll = ScrollPoints.newBuilder().setCollectionName(config.collection())
                    .setFilter(Filter.newBuilder().addMust(ids.size() == 1 ? matchKeyword(DOCUMENT_ID, ids.getFirst())
                            : matchKeywords(DOCUMENT_ID, ids)))
                    .setLimit(1000).setWithPayload(include(List.of(DOCUMENT_ID, VERSION)));
            if (offset != null) scroll.setOffset(offset);
            ScrollResponse page = call("read document states", client.scrollAsync(scroll.build()));
            for (RetrievedPoint p : page.getResultList()) {
                Map<Long, Integer> versions = perVersion.get(p.getPayloadMap().get(DOCUMENT_ID).getStringValue());
                if (versions != null) versions.merge(p.getPayloadMap().get(VERSION).getIntegerValue(), 1, Integer::sum);
            }
            offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
        } while (offset != null);
        Map<String, Long> markers = new HashMap<>();
        List<PointId> markerIds = ids.stream().map(id -> id(markerId(id))).toList();
        for (RetrievedPoint p : call("read deletion markers", client.retrieveAsync(markerCollection(), markerIds,
                enable(true), io.qdrant.client.WithVectorsSelectorFactory.enable(false), null))) {
            markers.put(p.getPayloadMap().get(DOCUMENT_ID).getStringValue(), p.getPayloadMap().get(VERSION).getIntegerValue());
        }
        Map<String, DocumentState> states = new LinkedHashMap<>();
        perVersion.forEach((id, versions) -> states.put(id, new DocumentState(versions,
                markers.containsKey(id) ? OptionalLong.of(markers.get(id)) : OptionalLong.empty())));
        return states;
    }

    private void checkCollectionFits(CollectionInfo info) {
        VectorsConfig vectors = info.getConfig().getParams().getVectorsConfig();
        String name = config.collection();
        if (!vectors.hasParams())
            throw new IllegalStateException("Qdrant collection " + name
                    + " uses named vectors; this store needs a collection with one unnamed vector");
        VectorParams params = vectors.getParams();
        if (params.getSize() != config.dimension())
            throw new IllegalStateException("Qdrant collection " + name + " holds vectors of dimension "
                    + params.getSize() + " but dimension " + config.dimension()
                    + " was configured; use another collection or re-index with the new encoder");
        if (params.getDistance() != Distance.Cosine)
            throw new IllegalStateException("Qdrant collection " + name + " uses distance " + params.getDistance()
                    + "; this store needs Cosine");
    }

    private void createPayloadIndex(String field, PayloadSchemaType type) {
        call("create payload index " + field,
                client.createPayloadIndexAsync(config.collection(), field, type, null, true, null, null));
    }

    @Override
    public void upsert(List<StoredChunk> chunks) {
        StoreArguments.checkChunks(chunks, config.dimension());
        List<PointStruct> points = new ArrayList<>(chunks.size());
        for (StoredChunk chunk : chunks) points.add(toPoint(chunk));
        for (int from = 0; from < points.size(); from += config.upsertBatchSize()) {
            List<PointStruct> batch = points.subList(from, Math.min(points.size(), from + config.upsertBatchSize()));
            call("upsert", client.upsertAsync(UpsertPoints.newBuilder()
                    .setCollectionName(config.collection()).setWait(true).addAllPoints(batch).build()));
        }
    }

    @Override
    public void deleteDocument(String documentId) {
        delete(Filter.newBuilder().addMust(matchKeyword(DOCUMENT_ID, documentId)).build());
    }

    @Override
    public void deleteOtherVersions(String documentId, long keepVersion) {
        delete(Filter.newBuilder()
                .addMust(matchKeyword(DOCUMENT_ID, documentId))
                .addMustNot(match(VERSION, keepVersion))
                .build());
    }

    private void delete(Filter filter) {
        call("delete", client.deleteAsync(DeletePoints.newBuilder()
                .setCollectionName(config.collection()).setWait(true)
                .setPoints(PointsSelector.newBuilder().setFilter(filter)).build()));
    }

    @Override
    public OptionalLong documentVersion(String documentId) {
        List<RetrievedPoint> newest = call("read document version", client.scrollAsync(ScrollPoints.newBuilder()
                .setCollectionName(config.collection())
                .setFilter(Filter.newBuilder().addMust(matchKeyword(DOCUMENT_ID, documentId)))
                .setOrderBy(OrderBy.newBuilder().setKey(VERSION).setDirection(Direction.Desc))
                .setLimit(1)
                .setWithPayload(include(List.of(VERSION)))
                .build())).getResultList();
        return newest.isEmpty() ? OptionalLong.empty()
                : OptionalLong.of(newest.getFirst().getPayloadMap().get(VERSION).getIntegerValue());
    }

    @Override
    public List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter) {
        StoreArguments.checkQuery(queryVector, k, config.dimension());
        QueryPoints.Builder query = QueryPoints.newBuilder()
                .setCollectionName(config.collection())
                .setQuery(nearest(queryVector))
                .setLimit(k)
                .setParams(SearchParams.newBuilder().setHnswEf(Math.max(k, config.efSearch())))
                .setWithPayload(enable(true));
        if (filter != null && !filter.isEmpty()) query.setFilter(toQdrantFilter(filter));
        List<ScoredPoint> points = call("search", client.queryAsync(query.build()));
        List<SearchHit> hits = new ArrayList<>(points.size());
        for (ScoredPoint point : points)
            hits.add(new SearchHit(toChunk(point.getId().getUuid(), point.getPayloadMap()), point.getScore()));
        return hits;
    }

    private static Filter toQdrantFilter(MetadataFilter filter) {
        Filter.Builder all = Filter.newBuilder();
        filter.anyOf().forEach((key, values) -> {
            String path = MetadataFilter.DOCUMENT_ID.equals(key) ? DOCUMENT_ID : metadataPath(key);
            Condition anyValue = values.size() == 1 ? matchKeyword(path, values.getFirst()) : matchKeywords(path, values);
            all.addMust(anyValue);
        });
        return all.build();
    }

    /** Payload path of a metadata key; keys with dots or other punctuation are quoted so they stay one key. */
    static String metadataPath(String key) {
        if (PLAIN_KEY.matcher(key).matches()) return META + "." + key;
        return META + ".\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public long count() {
        return call("count", client.countAsync(config.collection(), null, true));
    }

    @Override
    public int dimension() {
        return config.dimension();
    }

    public QdrantStoreConfig config() {
        return config;
    }

    @Override
    public void close() {
        client.close();
    }

    private static PointStruct toPoint(StoredChunk stored) {
        Chunk chunk = stored.chunk();
        Map<String, Value> metadata = new HashMap<>();
        chunk.metadata().forEach((key, val) -> metadata.put(key, value(val)));
        return PointStruct.newBuilder()
                .setId(id(pointId(chunk.id())))
                .setVectors(vectors(stored.vector()))
                .putPayload(DOCUMENT_ID, value(chunk.documentId()))
                .putPayload(VERSION, value(chunk.version()))
                .putPayload(INDEX, value(chunk.index()))
                .putPayload(TEXT, value(chunk.text()))
                .putPayload(TITLE, value(chunk.title()))
                .putPayload(HEADING, value(chunk.heading()))
                .putPayload(START_OFFSET, value(chunk.startOffset()))
                .putPayload(END_OFFSET, value(chunk.endOffset()))
                .putPayload(META, value(metadata))
                .build();
    }

    private static UUID pointId(String chunkId) {
        try {
            UUID uuid = UUID.fromString(chunkId);
            if (uuid.toString().equals(chunkId)) return uuid;
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException("Qdrant point ids must be lower-case UUID strings (see Chunk.idFor), got '"
                + chunkId + "'");
    }

    private static Chunk toChunk(String id, Map<String, Value> payload) {
        Map<String, String> metadata = new HashMap<>();
        payload.get(META).getStructValue().getFieldsMap().forEach((key, val) -> metadata.put(key, val.getStringValue()));
        return new Chunk(id, payload.get(DOCUMENT_ID).getStringValue(), payload.get(VERSION).getIntegerValue(),
                (int) payload.get(INDEX).getIntegerValue(), payload.get(TEXT).getStringValue(),
                payload.get(TITLE).getStringValue(), payload.get(HEADING).getStringValue(),
                (int) payload.get(START_OFFSET).getIntegerValue(), (int) payload.get(END_OFFSET).getIntegerValue(),
                metadata);
    }

    /** Waits for a client call; invalid requests become IllegalArgumentException, other failures UncheckedIOException. */
    private <T> T call(String what, Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new UncheckedIOException(new InterruptedIOException("interrupted during Qdrant " + what));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String message = "Qdrant " + what + " on collection " + config.collection() + " at " + config.host() + ":"
                    + config.grpcPort() + " failed: " + cause.getMessage();
            if (cause instanceof StatusRuntimeException status
                    && status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT)
                throw new IllegalArgumentException(message, cause);
            throw new UncheckedIOException(new IOException(message, cause));
        }
    }
}
