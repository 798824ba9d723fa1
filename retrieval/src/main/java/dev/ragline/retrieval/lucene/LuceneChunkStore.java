package dev.ragline.retrieval.lucene;

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
import dev.ragline.retrieval.StoreArguments;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DoubleValuesSourceRescorer;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortedNumericSelector;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.QueryBuilder;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Embedded chunk store: one Lucene index on disk, vectors in an HNSW graph, chunk fields stored, metadata indexed
 * as keyword terms so that metadata filters run inside the kNN search (pre-filtering, not post-filtering).
 *
 * <p>Writes are committed before they return (one commit per call, so write in batches); searches use a reader
 * refreshed after each write. Thread-safe. One process may open a directory at a time (Lucene's write lock).
 */
public final class LuceneChunkStore implements ChunkStore, dev.ragline.retrieval.ChunkAccess {
    private static final Logger LOG = LoggerFactory.getLogger(LuceneChunkStore.class);

    static final String ID = "id";
    static final String VECTOR = "vector";
    /** BM25 text field (indexed, not stored): title, heading and text of the chunk, analyzed by the configured analyzer. */
    static final String KEYWORD = "bm25";
    /** Metadata key {@code k} is the keyword field {@code meta.k}. */
    static final String META_PREFIX = "meta.";
    /** Deletion markers: documents without a vector, {@code marker=deleted}, with the document id and version. */
    static final String MARKER = "marker";
    private static final String DELETED = "deleted";
    /** Marker kind and stored field of a source position document. */
    private static final String POSITION = "position";
    /** Commit user data: the dimension the index was created for, checked on every open. */
    private static final String DIMENSION_KEY = "ragline.dimension";
    /** Commit user data: the analyzer of the BM25 field; absent in indexes written before the keyword field existed. */
    private static final String KEYWORD_ANALYZER_KEY = "ragline.keyword-analyzer";
    /** Documents re-written per commit while upgrading an index's keyword field. */
    private static final int UPGRADE_BATCH = 1_000;

    private final LuceneStoreConfig config;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final Analyzer analyzer;
    private volatile boolean closed;

    private LuceneChunkStore(LuceneStoreConfig config, Directory directory, IndexWriter writer,
                             SearcherManager searchers, Analyzer analyzer) {
        this.config = config;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.analyzer = analyzer;
    }

    /** Opens the index in {@code config.directory()}, creating it if absent. */
    public static LuceneChunkStore open(LuceneStoreConfig config) {
        Directory directory = null;
        IndexWriter writer = null;
        Analyzer analyzer = config.analyzer().create();
        try {
            Files.createDirectories(config.directory());
            directory = FSDirectory.open(config.directory());
            checkExistingDimension(directory, config);
            String keywordAnalyzer = DirectoryReader.indexExists(directory)
                    ? SegmentInfos.readLatestCommit(directory).getUserData().get(KEYWORD_ANALYZER_KEY)
                    : config.analyzer().name();
            IndexWriterConfig writerConfig = new IndexWriterConfig(analyzer)
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setCodec(codec(config));
            try {
                writer = new IndexWriter(directory, writerConfig);
            } catch (LockObtainFailedException e) {
                throw new IllegalStateException("Lucene index at " + config.directory()
                        + " is already open in another store or process", e);
            }
            if (!config.analyzer().name().equals(keywordAnalyzer)) upgradeKeywordField(writer, config, keywordAnalyzer);
            writer.setLiveCommitData(Map.of(DIMENSION_KEY, Integer.toString(config.dimension()),
                    KEYWORD_ANALYZER_KEY, config.analyzer().name()).entrySet());
            writer.commit();
            SearcherManager searchers = new SearcherManager(writer, null);
            LOG.info("Opened Lucene chunk store at {} (dimension {}, {}, M {}, beam {}, efSearch {}, keyword analyzer {})",
                    config.directory(), config.dimension(), config.vectorEncoding(), config.maxConn(),
                    config.beamWidth(), config.efSearch(), config.analyzer());
            return new LuceneChunkStore(config, directory, writer, searchers, analyzer);
        } catch (IOException e) {
            IOUtils.closeWhileHandlingException(writer, directory, analyzer);
            throw new UncheckedIOException("cannot open Lucene index at " + config.directory(), e);
        } catch (RuntimeException e) {
            IOUtils.closeWhileHandlingException(writer, directory, analyzer);
            throw e;
        }
    }

    /**
     * Upgrades an index written without the BM25 field (before hybrid search existed), or with another analyzer:
     * every live chunk is re-written from its stored fields and its float vector, now with the keyword field.
     * Chunk ids, vectors and metadata are unchanged; the upgrade is committed in batches and is idempotent, so an
     * interrupted one is finished by the next open.
     */
    private static void upgradeKeywordField(IndexWriter writer, LuceneStoreConfig config, String previous)
            throws IOException {
        long started = System.nanoTime();
        int rewritten = 0;
        try (DirectoryReader reader = DirectoryReader.open(writer)) {
            if (reader.numDocs() == 0) return;
            LOG.warn("Lucene index at {} has {} ({} chunks); re-indexing the BM25 keyword field with the {} analyzer",
                    config.directory(), previous == null ? "no BM25 keyword field (written before hybrid search)"
                            : "a BM25 keyword field analyzed with " + previous, reader.numDocs(), config.analyzer());
            for (LeafReaderContext context : reader.leaves()) {
                LeafReader leaf = context.reader();
                FloatVectorValues vectors = leaf.getFloatVectorValues(VECTOR);
                if (vectors == null) continue;
                Bits live = leaf.getLiveDocs();
                StoredFields stored = leaf.storedFields();
                KnnVectorValues.DocIndexIterator docs = vectors.iterator();
                for (int doc = docs.nextDoc(); doc != KnnVectorValues.DocIndexIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                    if (live != null && !live.get(doc)) continue;
                    Chunk chunk = toChunk(stored.document(doc));
                    float[] vector = vectors.vectorValue(docs.index()).clone();
                    writer.updateDocument(new Term(ID, chunk.id()), toDocument(new StoredChunk(chunk, vector)));
                    if (++rewritten % UPGRADE_BATCH == 0) writer.commit();
                }
            }
        }
        LOG.warn("Lucene index at {}: BM25 keyword field re-indexed for {} chunks in {} ms", config.directory(),
                rewritten, (System.nanoTime() - started) / 1_000_000);
    }

    private static void checkExistingDimension(Directory directory, LuceneStoreConfig config) throws IOException {
        if (!DirectoryReader.indexExists(directory)) return;
        String stored = SegmentInfos.readLatestCommit(directory).getUserData().get(DIMENSION_KEY);
        if (stored == null)
            throw new IllegalStateException("Lucene index at " + config.directory() + " was not created by "
                    + LuceneChunkStore.class.getSimpleName() + " (no dimension recorded); use an empty directory");
        if (Integer.parseInt(stored) != config.dimension())
            throw new IllegalStateException("Lucene index at " + config.directory() + " holds vectors of dimension "
                    + stored + " but dimension " + config.dimension()
                    + " was configured; use another directory or re-index with the new encoder");
    }

    /** Lucene's default codec with our HNSW parameters; the index stays readable by the stock codec (same name). */
    private static Codec codec(LuceneStoreConfig config) {
        KnnVectorsFormat format = switch (config.vectorEncoding()) {
            case FLOAT32 -> new Lucene99HnswVectorsFormat(config.maxConn(), config.beamWidth());
            case INT8 -> new Lucene104HnswScalarQuantizedVectorsFormat(
                    ScalarEncoding.UNSIGNED_BYTE, config.maxConn(), config.beamWidth());
        };
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    @Override
    public void upsert(List<StoredChunk> chunks) {
        StoreArguments.checkChunks(chunks, config.dimension());
        if (chunks.isEmpty()) return;
        ensureOpen();
        try {
            for (StoredChunk chunk : chunks) writer.updateDocument(new Term(ID, chunk.chunk().id()), toDocument(chunk));
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene upsert failed in " + config.directory(), e);
        }
    }

    @Override
    public void deleteDocument(String documentId) {
        ensureOpen();
        try {
            writer.deleteDocuments(new Term(DOCUMENT_ID, documentId));
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene delete failed in " + config.directory(), e);
        }
    }

    @Override
    public void deleteOtherVersions(String documentId, long keepVersion) {
        ensureOpen();
        Query otherVersions = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(DOCUMENT_ID, documentId)), BooleanClause.Occur.FILTER)
                .add(LongField.newExactQuery(VERSION, keepVersion), BooleanClause.Occur.MUST_NOT)
                .build();
        try {
            writer.deleteDocuments(otherVersions);
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene delete failed in " + config.directory(), e);
        }
    }

    /**
     * Applies the writes with one commit and one searcher refresh for the whole list, so a search sees a batch
     * completely or not at all, and a crash before the commit leaves the previous state. Every chunk is checked
     * (Lucene's {@value IndexWriter#MAX_TERM_LENGTH}-byte term limit) before anything changes, so a write that is
     * refused ({@link IllegalArgumentException}) leaves nothing half done.
     */
    @Override
    public void write(List<DocumentWrite> writes) {
        write(writes, Map.of());
    }

    /** The writes and the source positions go into one commit, so a position never runs ahead of its writes. */
    @Override
    public synchronized void write(List<DocumentWrite> writes, Map<String, Long> positions) {
        ensureOpen();
        if (writes.isEmpty() && positions.isEmpty()) return;
        List<List<Document>> documents = new ArrayList<>(writes.size());
        for (DocumentWrite w : writes) {
            List<Document> docs = new ArrayList<>();
            if (w instanceof DocumentWrite.Replace r) {
                StoreArguments.checkChunks(r.chunks(), config.dimension());
                for (StoredChunk chunk : r.chunks()) {
                    checkTerms(chunk.chunk());
                    docs.add(toDocument(chunk));
                }
            } else {
                checkTerm(DOCUMENT_ID, w.documentId());
            }
            documents.add(docs);
        }
        Map<String, DocumentState> states = documentStates(writes.stream().map(DocumentWrite::documentId).distinct().toList());
        Map<String, long[]> versions = new HashMap<>(); // id -> {newest live version, deletion marker version}
        states.forEach((id, state) -> versions.put(id, new long[] {
                state.liveVersion().orElse(Long.MIN_VALUE), state.deletedVersion().orElse(Long.MIN_VALUE)}));
        try {
            for (int i = 0; i < writes.size(); i++) {
                DocumentWrite w = writes.get(i);
                long[] known = versions.get(w.documentId());
                Query document = new TermQuery(new Term(DOCUMENT_ID, w.documentId()));
                switch (w) {
                    case DocumentWrite.Replace r -> {
                        if (known[0] > r.version() || known[1] >= r.version()) {
                            LOG.debug("replace of {} v{} fenced: v{} / deleted at v{} stored", r.documentId(), r.version(), known[0], known[1]);
                            continue;
                        }
                        writer.deleteDocuments(new BooleanQuery.Builder().add(document, BooleanClause.Occur.FILTER)
                                .add(LongField.newRangeQuery(VERSION, Long.MIN_VALUE, r.version() - 1), BooleanClause.Occur.FILTER)
                                .build());
                        for (Document doc : documents.get(i)) writer.updateDocument(new Term(ID, doc.get(ID)), doc);
                        // Same version, fewer chunks than stored (content changed without a new version): drop the tail.
                        int stored = states.get(r.documentId()).chunksPerVersion().getOrDefault(r.version(), 0);
                        for (int c = r.chunks().size(); !r.chunks().isEmpty() && c < stored; c++)
                            writer.deleteDocuments(new Term(ID, Chunk.idFor(r.documentId(), r.version(), c)));
                        if (!r.chunks().isEmpty()) known[0] = r.version();
                    }
                    case DocumentWrite.Delete d -> {
                        if (known[0] > d.version()) {
                            LOG.debug("delete of {} v{} fenced: v{} stored", d.documentId(), d.version(), known[0]);
                            continue;
                        }
                        writer.deleteDocuments(new BooleanQuery.Builder().add(document, BooleanClause.Occur.FILTER)
                                .add(LongField.newRangeQuery(VERSION, Long.MIN_VALUE, d.version()), BooleanClause.Occur.FILTER)
                                .build());
                        long markerVersion = Math.max(d.version(), known[1]);
                        writer.updateDocument(new Term(ID, DELETED + ':' + d.documentId()), marker(d.documentId(), markerVersion));
                        known[0] = Long.MIN_VALUE;
                        known[1] = markerVersion;
                    }
                }
            }
            Map<String, Long> recorded = sourcePositions(positions.keySet());
            for (var p : positions.entrySet()) {
                long offset = Math.max(p.getValue(), recorded.getOrDefault(p.getKey(), Long.MIN_VALUE));
                writer.updateDocument(new Term(ID, POSITION + ':' + p.getKey()), position(p.getKey(), offset));
            }
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene write failed in " + config.directory(), e);
        }
    }

    /** A source position: a vector-less, text-less document (like a deletion marker, invisible to searches). */
    private static Document position(String source, long offset) {
        Document doc = new Document();
        doc.add(new StringField(ID, POSITION + ':' + source, Field.Store.YES));
        doc.add(new StringField(MARKER, POSITION, Field.Store.YES));
        doc.add(new StoredField(POSITION, offset));
        return doc;
    }

    @Override
    public Map<String, Long> sourcePositions(Collection<String> sources) {
        ensureOpen();
        if (sources.isEmpty()) return Map.of();
        return withSearcher(searcher -> {
            Map<String, Long> positions = new LinkedHashMap<>();
            StoredFields stored = searcher.storedFields();
            for (String source : sources) {
                TopDocs hit = searcher.search(new TermQuery(new Term(ID, POSITION + ':' + source)), 1);
                if (hit.scoreDocs.length == 0) continue;
                positions.put(source, stored.document(hit.scoreDocs[0].doc, java.util.Set.of(POSITION))
                        .getField(POSITION).numericValue().longValue());
            }
            return positions;
        });
    }

    private static Document marker(String documentId, long version) {
        Document doc = new Document();
        doc.add(new StringField(ID, DELETED + ':' + documentId, Field.Store.YES));
        doc.add(new StringField(DOCUMENT_ID, documentId, Field.Store.YES));
        doc.add(new LongField(VERSION, version, Field.Store.YES));
        doc.add(new StringField(MARKER, DELETED, Field.Store.YES));
        return doc;
    }

    private static void checkTerms(Chunk chunk) {
        checkTerm(ID, chunk.id());
        checkTerm(DOCUMENT_ID, chunk.documentId());
        chunk.metadata().forEach((key, value) -> checkTerm(META_PREFIX + key, value));
    }

    private static void checkTerm(String field, String value) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > IndexWriter.MAX_TERM_LENGTH)
            throw new IllegalArgumentException("field " + field + " is " + bytes + " bytes in UTF-8, over Lucene's term limit of "
                    + IndexWriter.MAX_TERM_LENGTH);
    }

    @Override
    public Map<String, DocumentState> documentStates(Collection<String> documentIds) {
        ensureOpen();
        return withSearcher(searcher -> {
            Map<String, DocumentState> states = new LinkedHashMap<>();
            StoredFields stored = searcher.storedFields();
            for (String id : documentIds) {
                Map<Long, Integer> perVersion = new TreeMap<>();
                OptionalLong deleted = OptionalLong.empty();
                TopDocs all = searcher.search(new TermQuery(new Term(DOCUMENT_ID, id)), Integer.MAX_VALUE);
                for (ScoreDoc hit : all.scoreDocs) {
                    Document doc = stored.document(hit.doc, java.util.Set.of(VERSION, MARKER));
                    long version = doc.getField(VERSION).numericValue().longValue();
                    if (DELETED.equals(doc.get(MARKER))) deleted = OptionalLong.of(version);
                    else perVersion.merge(version, 1, Integer::sum);
                }
                states.put(id, new DocumentState(perVersion, deleted));
            }
            return states;
        });
    }

    /**
     * Merges the index down to at most {@code maxSegments} segments (rebuilding their HNSW graphs), then commits.
     * Optional, after a bulk load: every segment is searched separately, so fewer segments make queries faster.
     * Costly (minutes for millions of vectors); writes and searches keep working meanwhile.
     */
    public void forceMerge(int maxSegments) {
        if (maxSegments < 1) throw new IllegalArgumentException("maxSegments must be at least 1, was " + maxSegments);
        ensureOpen();
        try {
            writer.forceMerge(maxSegments);
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene merge failed in " + config.directory(), e);
        }
    }

    private void commitAndRefresh() throws IOException {
        writer.commit();
        searchers.maybeRefreshBlocking();
    }

    @Override
    public OptionalLong documentVersion(String documentId) {
        ensureOpen();
        return withSearcher(searcher -> {
            Sort newestFirst = new Sort(LongField.newSortField(VERSION, true, SortedNumericSelector.Type.MAX));
            Query chunksOfDocument = new BooleanQuery.Builder()
                    .add(new TermQuery(new Term(DOCUMENT_ID, documentId)), BooleanClause.Occur.FILTER)
                    .add(new TermQuery(new Term(MARKER, DELETED)), BooleanClause.Occur.MUST_NOT).build();
            TopDocs top = searcher.search(chunksOfDocument, 1, newestFirst);
            if (top.scoreDocs.length == 0) return OptionalLong.empty();
            return OptionalLong.of(((Number) ((FieldDoc) top.scoreDocs[0]).fields[0]).longValue());
        });
    }

    @Override
    public List<SearchHit> search(float[] queryVector, int k, MetadataFilter filter) {
        StoreArguments.checkQuery(queryVector, k, config.dimension());
        ensureOpen();
        Query luceneFilter = toLuceneFilter(filter);
        return withSearcher(searcher -> {
            TopDocs top = denseLeg(searcher, queryVector, k, luceneFilter);
            StoredFields stored = searcher.storedFields();
            List<SearchHit> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc hit : top.scoreDocs) hits.add(new SearchHit(toChunk(stored.document(hit.doc)), cosine(hit.score)));
            return hits;
        });
    }

    /** Top {@code n} by vector similarity among the filter's documents; scores are Lucene's {@code (1 + dot) / 2}. */
    private TopDocs denseLeg(IndexSearcher searcher, float[] queryVector, int n, Query luceneFilter) throws IOException {
        boolean quantized = config.vectorEncoding() == LuceneStoreConfig.VectorEncoding.INT8;
        int candidates = Math.max(n, config.efSearch());
        // Quantized scores are approximate: take more candidates, then rank them by the exact float score.
        if (quantized) candidates = (int) Math.ceil(candidates * config.oversample());
        TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, queryVector, candidates, luceneFilter),
                quantized ? candidates : n);
        if (quantized && top.scoreDocs.length > 0) top = exactRescorer(queryVector).rescore(searcher, top, n);
        return top;
    }

    /** Top {@code n} by BM25 on the keyword field among the filter's documents; empty when the text has no terms. */
    private TopDocs keywordLeg(IndexSearcher searcher, String text, int n, Query luceneFilter) throws IOException {
        Query terms = new QueryBuilder(analyzer).createBooleanQuery(KEYWORD, text);
        if (terms == null) return new TopDocs(new org.apache.lucene.search.TotalHits(0,
                org.apache.lucene.search.TotalHits.Relation.EQUAL_TO), new ScoreDoc[0]);
        Query query = luceneFilter == null ? terms : new BooleanQuery.Builder()
                .add(terms, BooleanClause.Occur.MUST).add(luceneFilter, BooleanClause.Occur.FILTER).build();
        return searcher.search(query, n);
    }

    /**
     * Dense, keyword or hybrid search on one searcher (one point-in-time view of the index), both legs with the same
     * metadata pre-filter. Hybrid: each leg returns {@code max(k, candidatesPerLeg)} chunks, fused by Lucene's
     * {@link TopDocs#rrf} with the configured constant; the hit score is the RRF score and each hit carries its
     * rank and score in the legs that found it (dense: cosine, keyword: BM25).
     */
    @Override
    public List<SearchHit> search(SearchQuery query) {
        if (query.mode().usesVector()) StoreArguments.checkQuery(query.vector(), query.k(), config.dimension());
        ensureOpen();
        Query luceneFilter = toLuceneFilter(query.filter());
        int k = query.k();
        return withSearcher(searcher -> {
            StoredFields stored = searcher.storedFields();
            int depth = query.mode() == SearchMode.HYBRID ? config.hybrid().depth(k) : k;
            TopDocs dense = query.mode().usesVector() ? denseLeg(searcher, query.vector(), depth, luceneFilter) : null;
            TopDocs keyword = query.mode().usesText() ? keywordLeg(searcher, query.text(), depth, luceneFilter) : null;
            Map<Integer, SearchHit.Leg> denseLegs = legs(dense, true);
            Map<Integer, SearchHit.Leg> keywordLegs = legs(keyword, false);
            TopDocs ranked = switch (query.mode()) {
                case DENSE -> dense;
                case KEYWORD -> keyword;
                case HYBRID -> TopDocs.rrf(k, config.hybrid().rrfK(), new TopDocs[]{dense, keyword});
            };
            List<SearchHit> hits = new ArrayList<>(ranked.scoreDocs.length);
            for (ScoreDoc hit : ranked.scoreDocs) {
                double score = query.mode() == SearchMode.DENSE ? cosine(hit.score) : hit.score;
                hits.add(new SearchHit(toChunk(stored.document(hit.doc)), score,
                        denseLegs.get(hit.doc), keywordLegs.get(hit.doc)));
            }
            return hits;
        });
    }

    @Override
    public Set<SearchMode> searchModes() {
        return EnumSet.allOf(SearchMode.class);
    }

    private static Map<Integer, SearchHit.Leg> legs(TopDocs top, boolean dense) {
        if (top == null) return Map.of();
        Map<Integer, SearchHit.Leg> legs = new HashMap<>();
        for (int i = 0; i < top.scoreDocs.length; i++) {
            ScoreDoc hit = top.scoreDocs[i];
            legs.put(hit.doc, new SearchHit.Leg(i + 1, dense ? cosine(hit.score) : hit.score));
        }
        return legs;
    }

    /** Lucene scores dot product as {@code (1 + dot) / 2}; give back the cosine. */
    private static double cosine(float luceneScore) {
        return 2.0 * luceneScore - 1.0;
    }

    /** Re-scores hits with the full-precision vectors kept beside the quantized ones. */
    private static Rescorer exactRescorer(float[] queryVector) {
        return new DoubleValuesSourceRescorer(new FullPrecisionFloatVectorSimilarityValuesSource(queryVector, VECTOR)) {
            @Override
            protected float combine(float approximateScore, boolean hasExactScore, double exactScore) {
                return hasExactScore ? (float) exactScore : approximateScore;
            }
        };
    }

    /** Null for no filter; otherwise every key must match one of its values. */
    private static Query toLuceneFilter(MetadataFilter filter) {
        if (filter == null || filter.isEmpty()) return null;
        BooleanQuery.Builder all = new BooleanQuery.Builder();
        filter.anyOf().forEach((key, values) -> {
            String field = MetadataFilter.DOCUMENT_ID.equals(key) ? DOCUMENT_ID : META_PREFIX + key;
            Query anyValue = values.size() == 1
                    ? new TermQuery(new Term(field, values.getFirst()))
                    : new TermInSetQuery(field, values.stream().map(BytesRef::new).toList());
            all.add(anyValue, BooleanClause.Occur.FILTER);
        });
        return all.build();
    }

    @Override
    public Map<String, float[]> vectors(java.util.Collection<String> chunkIds) {
        ensureOpen();
        if (chunkIds.isEmpty()) return Map.of();
        Query byId = new TermInSetQuery(ID, chunkIds.stream().map(BytesRef::new).toList());
        return withSearcher(searcher -> {
            Map<String, float[]> vectors = new HashMap<>();
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            StoredFields stored = searcher.storedFields();
            for (ScoreDoc hit : searcher.search(byId, chunkIds.size()).scoreDocs) {
                LeafReaderContext leaf = leaves.get(org.apache.lucene.index.ReaderUtil.subIndex(hit.doc, leaves));
                FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
                if (values == null) continue;
                KnnVectorValues.DocIndexIterator it = values.iterator();
                if (it.advance(hit.doc - leaf.docBase) != hit.doc - leaf.docBase) continue;
                vectors.put(stored.document(hit.doc).get(ID), values.vectorValue(it.index()).clone());
            }
            return vectors;
        });
    }

    @Override
    public void deleteChunks(java.util.Collection<String> chunkIds) {
        ensureOpen();
        if (chunkIds.isEmpty()) return;
        try {
            writer.deleteDocuments(chunkIds.stream().map(id -> new Term(ID, id)).toArray(Term[]::new));
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene delete failed in " + config.directory(), e);
        }
    }

    @Override
    public void deleteAll() {
        ensureOpen();
        try {
            writer.deleteAll();
            commitAndRefresh();
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene delete failed in " + config.directory(), e);
        }
    }

    @Override
    public long count() {
        ensureOpen();
        // Deletion markers and source positions are documents too, but no chunks.
        return withSearcher(searcher -> (long) searcher.getIndexReader().numDocs()
                - searcher.count(new TermQuery(new Term(MARKER, DELETED)))
                - searcher.count(new TermQuery(new Term(MARKER, POSITION))));
    }

    @Override
    public int dimension() {
        return config.dimension();
    }

    public LuceneStoreConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            IOUtils.close(searchers, writer, directory, analyzer);
        } catch (IOException e) {
            throw new UncheckedIOException("closing Lucene index at " + config.directory() + " failed", e);
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("Lucene chunk store at " + config.directory() + " is closed");
    }

    private interface SearcherFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    private <T> T withSearcher(SearcherFunction<T> function) {
        try {
            IndexSearcher searcher = searchers.acquire();
            try {
                return function.apply(searcher);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Lucene search failed in " + config.directory(), e);
        }
    }

    private static Document toDocument(StoredChunk stored) {
        Chunk chunk = stored.chunk();
        Document doc = new Document();
        doc.add(new StringField(ID, chunk.id(), Field.Store.YES));
        doc.add(new StringField(DOCUMENT_ID, chunk.documentId(), Field.Store.YES));
        doc.add(new LongField(VERSION, chunk.version(), Field.Store.YES));
        doc.add(new StoredField(INDEX, chunk.index()));
        doc.add(new StoredField(TEXT, chunk.text()));
        doc.add(new StoredField(TITLE, chunk.title()));
        doc.add(new StoredField(HEADING, chunk.heading()));
        doc.add(new StoredField(START_OFFSET, chunk.startOffset()));
        doc.add(new StoredField(END_OFFSET, chunk.endOffset()));
        chunk.metadata().forEach((key, value) -> doc.add(new StringField(META_PREFIX + key, value, Field.Store.YES)));
        doc.add(new KnnFloatVectorField(VECTOR, stored.vector(), VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new TextField(KEYWORD, keywordText(chunk), Field.Store.NO));
        return doc;
    }

    /** What the BM25 leg matches: the title, the heading path and the text. */
    static String keywordText(Chunk chunk) {
        return String.join("\n", chunk.title(), chunk.heading(), chunk.text());
    }

    private static Chunk toChunk(Document doc) {
        Map<String, String> metadata = new HashMap<>();
        for (IndexableField field : doc.getFields()) {
            if (field.name().startsWith(META_PREFIX))
                metadata.put(field.name().substring(META_PREFIX.length()), field.stringValue());
        }
        return new Chunk(doc.get(ID), doc.get(DOCUMENT_ID), doc.getField(VERSION).numericValue().longValue(),
                doc.getField(INDEX).numericValue().intValue(), doc.get(TEXT), doc.get(TITLE), doc.get(HEADING),
                doc.getField(START_OFFSET).numericValue().intValue(), doc.getField(END_OFFSET).numericValue().intValue(),
                metadata);
    }
}
