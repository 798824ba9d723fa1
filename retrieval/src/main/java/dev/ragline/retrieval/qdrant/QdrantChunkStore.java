package dev.ragline.retrieval.qdrant;

import static dev.ragline.retrieval.StoredFields.*;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.DocumentState;
import dev.ragline.core.DocumentWrite;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.core.Tenant;
import dev.ragline.retrieval.StoreArguments;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.qdrant.client.QdrantClient;
import io.qdrant.client.QdrantGrpcClient;
import io.qdrant.client.grpc.Collections.CollectionInfo;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.HnswConfigDiff;
import io.qdrant.client.grpc.Collections.Modifier;
import io.qdrant.client.grpc.Collections.SparseVectorConfig;
import io.qdrant.client.grpc.Collections.SparseVectorParams;
import io.qdrant.client.grpc.Collections.PayloadSchemaType;
import io.qdrant.client.grpc.Collections.PayloadIndexParams;
import io.qdrant.client.grpc.Collections.KeywordIndexParams;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.Common.Condition;
import io.qdrant.client.grpc.Common.Filter;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Common.PointId;
import io.qdrant.client.grpc.Common.Range;
import io.qdrant.client.grpc.Points.BatchResult;
import io.qdrant.client.grpc.Points.DeletePoints;
import io.qdrant.client.grpc.Points.Document;
import io.qdrant.client.grpc.Points.PointsUpdateOperation;
import io.qdrant.client.grpc.Points.ScrollResponse;
import io.qdrant.client.grpc.Points.WriteOrdering;
import io.qdrant.client.grpc.Points.WriteOrderingType;
import io.qdrant.client.grpc.Points.Direction;
import io.qdrant.client.grpc.Points.OrderBy;
import io.qdrant.client.grpc.Points.PointStruct;
import io.qdrant.client.grpc.Points.PointsSelector;
import io.qdrant.client.grpc.Points.PrefetchQuery;
import io.qdrant.client.grpc.Points.Rrf;
import io.qdrant.client.grpc.Points.QueryPoints;
import io.qdrant.client.grpc.Points.RetrievedPoint;
import io.qdrant.client.grpc.Points.ScoredPoint;
import io.qdrant.client.grpc.Points.ScrollPoints;
import io.qdrant.client.grpc.Points.SearchParams;
import io.qdrant.client.grpc.Points.UpsertPoints;
import io.qdrant.client.grpc.Points.Vector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
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
import static io.qdrant.client.QueryFactory.rrf;
import static io.qdrant.client.ValueFactory.value;
import static io.qdrant.client.VectorFactory.vector;
import static io.qdrant.client.VectorsFactory.namedVectors;
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
public final class QdrantChunkStore implements ChunkStore, dev.ragline.retrieval.ChunkAccess {
    private static final Logger LOG = LoggerFactory.getLogger(QdrantChunkStore.class);

    static final String META = "meta";
    /** The sparse vector Qdrant fills with BM25 term weights computed server-side from the chunk's keyword text. */
    static final String BM25 = "bm25";
    /** Qdrant's server-side BM25 model (Qdrant 1.15.2+): tokenizes, removes English stop words, stems. */
    static final String BM25_MODEL = "qdrant/bm25";
    /** The unnamed dense vector, as a key of named vectors. */
    static final String DENSE = "";
    /** Deletion markers live in a collection of their own, named after the chunk collection with this suffix. */
    public static final String MARKERS_SUFFIX = "__deleted";
    /** Payload keys of a source position point in the marker collection (it has no document id). */
    private static final String SOURCE = "source", POSITION = "position";
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

    /**
     * Copies every point of {@code source.collection()} (for example one created before keyword search existed,
     * which this store refuses to open) into a new collection {@code target} that has the sparse BM25 vector:
     * same ids, dense vectors and payloads, BM25 computed by Qdrant from the stored text. The source is left as it
     * is; point the store at {@code target} (or move an alias) afterwards. Returns the number of points copied.
     */
    public static long migrate(QdrantStoreConfig source, String target) {
        if (source.collection().equals(target))
            throw new IllegalArgumentException("migrate into another collection than " + target);
        long copied = 0;
        try (QdrantChunkStore store = open(source.withCollection(target))) {
            if (!store.call("check collection", store.client.collectionExistsAsync(source.collection())))
                throw new IllegalArgumentException("Qdrant collection " + source.collection() + " does not exist");
            io.qdrant.client.grpc.Common.PointId offset = null;
            do {
                ScrollPoints.Builder scroll = ScrollPoints.newBuilder().setCollectionName(source.collection())
                        .setLimit(source.upsertBatchSize()).setWithPayload(enable(true))
                        .setWithVectors(io.qdrant.client.WithVectorsSelectorFactory.enable(true));
                if (offset != null) scroll.setOffset(offset);
                var page = store.call("scroll " + source.collection(), store.client.scrollAsync(scroll.build()));
                List<StoredChunk> chunks = new ArrayList<>(page.getResultCount());
                for (RetrievedPoint point : page.getResultList())
                    chunks.add(new StoredChunk(toChunk(point.getId().getUuid(), point.getPayloadMap()),
                            denseVector(point.getVectors())));
                store.upsert(chunks);
                copied += chunks.size();
                offset = page.hasNextPageOffset() ? page.getNextPageOffset() : null;
            } while (offset != null);
        }
        LOG.info("Copied {} points from Qdrant collection {} into {} (with the sparse BM25 vector)", copied,
                source.collection(), target);
        return copied;
    }

    private void prepareCollection() {
        String name = config.collection();
        if (!call("check collection", client.collectionExistsAsync(name))) {
            try {
                call("create collection", client.createCollectionAsync(CreateCollection.newBuilder()
                        .setCollectionName(name)
                        .setVectorsConfig(VectorsConfig.newBuilder().setParams(VectorParams.newBuilder()
                                .setSize(config.dimension()).setDistance(Distance.Cosine)))
                        .setSparseVectorsConfig(SparseVectorConfig.newBuilder().putMap(BM25,
                                SparseVectorParams.newBuilder().setModifier(Modifier.Idf).build()))
                        .setHnswConfig(HnswConfigDiff.newBuilder()
                                .setM(config.hnswM()).setEfConstruct(config.hnswEfConstruct()))
                        .build()));
                LOG.info("Created Qdrant collection {} (dimension {}, cosine, m {}, ef_construct {}, sparse BM25 vector)",
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
        for (String key : config.indexedMetadataKeys())
            if (!key.equals(Tenant.METADATA_KEY)) createPayloadIndex(metadataPath(key), PayloadSchemaType.Keyword);
        // Every search of the service filters on the tenant; a tenant index lets Qdrant keep each tenant's points
        // together and plan that filter first (its multitenancy guide).
        call("create tenant index", client.createPayloadIndexAsync(config.collection(), metadataPath(Tenant.METADATA_KEY),
                PayloadSchemaType.Keyword, PayloadIndexParams.newBuilder()
                        .setKeywordIndexParams(KeywordIndexParams.newBuilder().setIsTenant(true)).build(), true, null, null));
    }

    /**
     * Deletion markers: one point per deleted document (a 1-dimensional dummy vector), payload id and version.
     * Source positions (see {@link #write(List, Map)}) live here too, as points without a document id.
     */
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

    private static UUID positionId(String source) {
        return UUID.nameUUIDFromBytes(("position\u0000" + source).getBytes(StandardCharsets.UTF_8));
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
        write(writes, Map.of());
    }

    /**
     * The source positions go into the marker collection in one request after the last write request has
     * completed, so a position never runs ahead of its writes; a crash between the two leaves the previous
     * position (the consumer then treats those events as it would without positions).
     */
    @Override
    public void write(List<DocumentWrite> writes, Map<String, Long> positions) {
        writeDocuments(writes);
        if (positions.isEmpty()) return;
        Map<String, Long> recorded = sourcePositions(positions.keySet());
        List<PointStruct> points = new ArrayList<>();
        positions.forEach((source, offset) -> points.add(PointStruct.newBuilder().setId(id(positionId(source)))
                .setVectors(io.qdrant.client.VectorsFactory.vectors(1f)).putPayload(SOURCE, value(source))
                .putPayload(POSITION, value(Math.max(offset, recorded.getOrDefault(source, Long.MIN_VALUE)))).build()));
        call("write source positions", client.upsertAsync(UpsertPoints.newBuilder().setCollectionName(markerCollection())
                .setWait(true).setOrdering(WriteOrdering.newBuilder().setType(WriteOrderingType.Strong).build())
                .addAllPoints(points).build()));
    }

    @Override
    public Map<String, Long> sourcePositions(Collection<String> sources) {
        if (sources.isEmpty()) return Map.of();
        Map<String, Long> positions = new LinkedHashMap<>();
        for (RetrievedPoint p : call("read source positions", client.retrieveAsync(markerCollection(),
                sources.stream().map(s -> id(positionId(s))).toList(), enable(true),
                io.qdrant.client.WithVectorsSelectorFactory.enable(false), null))) {
            positions.put(p.getPayloadMap().get(SOURCE).getStringValue(), p.getPayloadMap().get(POSITION).getIntegerValue());
        }
        return positions;
    }

    private void writeDocuments(List<DocumentWrite> writes) {
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
                    markers.add(PointStruct.newBuilder().setId(id(markerId(d.documentId()))).setVectors(io.qdrant.client.VectorsFactory.vectors(1f))
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
        SparseVectorParams bm25 = info.getConfig().getParams().getSparseVectorsConfig().getMapMap().get(BM25);
        if (bm25 == null)
            throw new IllegalStateException("Qdrant collection " + name + " has no sparse vector '" + BM25
                    + "' for BM25 (it was created before keyword and hybrid search existed), and Qdrant cannot add a"
                    + " vector to an existing collection. Copy it into a new collection with"
                    + " QdrantChunkStore.migrate(config, \"" + name + "_v2\") (or re-index), then use that collection");
        if (bm25.getModifier() != Modifier.Idf)
            throw new IllegalStateException("Qdrant collection " + name + ": sparse vector '" + BM25
                    + "' must use the IDF modifier for BM25, it uses " + bm25.getModifier());
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

    /**
     * Dense, keyword or hybrid search through the Query API. Keyword: the query text as a {@code qdrant/bm25}
     * {@link Document} against the sparse vector. Hybrid: one prefetch per leg ({@code max(k, candidatesPerLeg)}
     * each, the same filter on both) fused by Qdrant's RRF with {@code k = rrfK + 1} (Qdrant counts ranks from 0, so
     * this is the classic {@code 1 / (rrfK + rank)} with ranks from 1). The two legs are sent in the same batch
     * request, without payloads, to say which leg found each hit at which rank.
     */
    @Override
    public List<SearchHit> search(SearchQuery query) {
        if (query.mode().usesVector()) StoreArguments.checkQuery(query.vector(), query.k(), config.dimension());
        Filter filter = query.filter().isEmpty() ? null : toQdrantFilter(query.filter());
        int k = query.k();
        int depth = query.mode() == SearchMode.HYBRID ? config.hybrid().depth(k) : k;
        List<QueryPoints> batch = new ArrayList<>(3);
        if (query.mode() == SearchMode.HYBRID) {
            QueryPoints.Builder fused = QueryPoints.newBuilder().setCollectionName(config.collection())
                    .addPrefetch(densePrefetch(query.vector(), depth, filter))
                    .addPrefetch(keywordPrefetch(query.text(), depth, filter))
                    .setQuery(rrf(Rrf.newBuilder().setK(config.hybrid().rrfK() + 1).build()))
                    .setLimit(k).setWithPayload(enable(true));
            batch.add(fused.build());
        }
        if (query.mode().usesVector()) batch.add(denseQuery(query.vector(), depth, filter, query.mode() == SearchMode.DENSE));
        if (query.mode().usesText()) batch.add(keywordQuery(query.text(), depth, filter, query.mode() == SearchMode.KEYWORD));
        List<BatchResult> results = call("search", client.queryBatchAsync(config.collection(), batch));
        int leg = query.mode() == SearchMode.HYBRID ? 1 : 0;
        Map<String, SearchHit.Leg> dense = query.mode().usesVector() ? legs(results.get(leg++).getResultList()) : Map.of();
        Map<String, SearchHit.Leg> keyword = query.mode().usesText() ? legs(results.get(leg).getResultList()) : Map.of();
        List<ScoredPoint> ranked = results.getFirst().getResultList();
        List<SearchHit> hits = new ArrayList<>(ranked.size());
        for (ScoredPoint point : ranked) {
            String id = point.getId().getUuid();
            hits.add(new SearchHit(toChunk(id, point.getPayloadMap()), point.getScore(), dense.get(id), keyword.get(id)));
        }
        return hits;
    }

    @Override
    public Set<SearchMode> searchModes() {
        return EnumSet.allOf(SearchMode.class);
    }

    private PrefetchQuery densePrefetch(float[] vector, int depth, Filter filter) {
        PrefetchQuery.Builder prefetch = PrefetchQuery.newBuilder().setQuery(nearest(vector)).setLimit(depth)
                .setParams(SearchParams.newBuilder().setHnswEf(Math.max(depth, config.efSearch())));
        if (filter != null) prefetch.setFilter(filter);
        return prefetch.build();
    }

    private PrefetchQuery keywordPrefetch(String text, int depth, Filter filter) {
        PrefetchQuery.Builder prefetch = PrefetchQuery.newBuilder().setQuery(nearest(bm25Document(text, false)))
                .setUsing(BM25).setLimit(depth);
        if (filter != null) prefetch.setFilter(filter);
        return prefetch.build();
    }

    private QueryPoints denseQuery(float[] vector, int depth, Filter filter, boolean withPayload) {
        QueryPoints.Builder query = QueryPoints.newBuilder().setCollectionName(config.collection())
                .setQuery(nearest(vector)).setLimit(depth)
                .setParams(SearchParams.newBuilder().setHnswEf(Math.max(depth, config.efSearch())))
                .setWithPayload(enable(withPayload));
        if (filter != null) query.setFilter(filter);
        return query.build();
    }

    private QueryPoints keywordQuery(String text, int depth, Filter filter, boolean withPayload) {
        QueryPoints.Builder query = QueryPoints.newBuilder().setCollectionName(config.collection())
                .setQuery(nearest(bm25Document(text, false))).setUsing(BM25).setLimit(depth)
                .setWithPayload(enable(withPayload));
        if (filter != null) query.setFilter(filter);
        return query.build();
    }

    /** Text for Qdrant's server-side BM25; documents are normalised with the configured average length. */
    private Document bm25Document(String text, boolean stored) {
        Document.Builder document = Document.newBuilder().setText(text).setModel(BM25_MODEL);
        if (stored) document.putOptions("avg_len", value(config.bm25AvgLen()));
        return document.build();
    }

    private static Map<String, SearchHit.Leg> legs(List<ScoredPoint> points) {
        Map<String, SearchHit.Leg> legs = new HashMap<>();
        for (int i = 0; i < points.size(); i++)
            legs.put(points.get(i).getId().getUuid(), new SearchHit.Leg(i + 1, points.get(i).getScore()));
        return legs;
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

    /** The dense vector of a point, whether the collection has named vectors or one unnamed vector. */
    private static float[] denseVector(io.qdrant.client.grpc.Points.VectorsOutput vectors) {
        var output = vectors.hasVector() ? vectors.getVector() : vectors.getVectors().getVectorsOrThrow(DENSE);
        List<Float> values = output.hasDense() ? output.getDense().getDataList() : output.getDataList();
        float[] vector = new float[values.size()];
        for (int i = 0; i < vector.length; i++) vector[i] = values.get(i);
        return vector;
    }

    @Override
    public Map<String, float[]> vectors(java.util.Collection<String> chunkIds) {
        if (chunkIds.isEmpty()) return Map.of();
        List<io.qdrant.client.grpc.Common.PointId> ids = chunkIds.stream().map(c -> id(pointId(c))).toList();
        List<RetrievedPoint> points = call("retrieve vectors", client.retrieveAsync(config.collection(), ids,
                enable(false), io.qdrant.client.WithVectorsSelectorFactory.include(List.of(DENSE)), null));
        Map<String, float[]> vectors = new HashMap<>();
        for (RetrievedPoint point : points) vectors.put(point.getId().getUuid(), denseVector(point.getVectors()));
        return vectors;
    }

    @Override
    public void deleteChunks(java.util.Collection<String> chunkIds) {
        if (chunkIds.isEmpty()) return;
        var ids = io.qdrant.client.grpc.Points.PointsIdsList.newBuilder()
                .addAllIds(chunkIds.stream().map(c -> id(pointId(c))).toList());
        call("delete", client.deleteAsync(DeletePoints.newBuilder()
                .setCollectionName(config.collection()).setWait(true)
                .setPoints(PointsSelector.newBuilder().setPoints(ids)).build()));
    }

    @Override
    public void deleteAll() {
        delete(Filter.getDefaultInstance()); // a filter without conditions matches every point
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

    private PointStruct toPoint(StoredChunk stored) {
        Chunk chunk = stored.chunk();
        Map<String, Value> metadata = new HashMap<>();
        chunk.metadata().forEach((key, val) -> metadata.put(key, value(val)));
        String keywordText = String.join("\n", chunk.title(), chunk.heading(), chunk.text());
        // The BM25 sparse vector is computed by Qdrant from the text; a chunk without any text has none.
        var vectors = keywordText.isBlank() ? io.qdrant.client.VectorsFactory.vectors(stored.vector())
                : namedVectors(Map.of(DENSE, vector(stored.vector()), BM25, vector(bm25Document(keywordText, true))));
        return PointStruct.newBuilder()
                .setId(id(pointId(chunk.id())))
                .setVectors(vectors)
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
