package dev.ragline.evaluation;

import dev.ragline.core.Chunk;
import dev.ragline.core.ChunkStore;
import dev.ragline.core.MetadataFilter;
import dev.ragline.core.SearchHit;
import dev.ragline.core.SearchMode;
import dev.ragline.core.SearchQuery;
import dev.ragline.core.StoredChunk;
import dev.ragline.evaluation.metrics.RetrievalMetrics;
import dev.ragline.evaluation.retrieval.BeirDataset;
import dev.ragline.evaluation.retrieval.ExactSearch;
import dev.ragline.evaluation.retrieval.RrfFusion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retrieval with a metadata filter. BEIR corpora carry no metadata, so each document gets a synthetic
 * {@code partition} ({@code floorMod(id.hashCode(), partitions)}); each query is searched with the filter
 * {@code partition = <partition of its first relevant document>} and judged on its relevant documents in that
 * partition. Exact search over the partition is the reference; a {@link ChunkStore} is measured through its own
 * filtered search, which is where approximate indexes can lose recall.
 */
final class FilteredRetrieval {
    static final String KEY = "partition";

    private FilteredRetrieval() {
    }

    record Scores(double ndcg10, double recall10, double recall100, double mrr10, int queries, int skipped) {
    }

    interface Ranker {
        List<String> search(float[] query, int k, String partition);

        /** With the query text, for keyword and hybrid rankers; dense ones ignore it. */
        default List<String> search(String text, float[] query, int k, String partition) {
            return search(query, k, partition);
        }
    }

    static String partitionOf(String documentId, int partitions) {
        return Integer.toString(Math.floorMod(documentId.hashCode(), partitions));
    }

    /** Exact search restricted to the query's partition. */
    static Ranker exact(List<String> ids, List<float[]> vectors, int partitions) {
        Map<String, List<String>> idsBy = new LinkedHashMap<>();
        Map<String, List<float[]>> vectorsBy = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String p = partitionOf(ids.get(i), partitions);
            idsBy.computeIfAbsent(p, x -> new ArrayList<>()).add(ids.get(i));
            vectorsBy.computeIfAbsent(p, x -> new ArrayList<>()).add(vectors.get(i));
        }
        Map<String, ExactSearch> searches = new LinkedHashMap<>();
        idsBy.forEach((p, list) -> searches.put(p, new ExactSearch(list, vectorsBy.get(p))));
        return (query, k, partition) -> searches.containsKey(partition) ? searches.get(partition).search(query, k) : List.of();
    }

    /** Writes every document, tagged with its partition, into the store and searches it with the filter. */
    static Ranker store(ChunkStore store, List<String> ids, List<String> texts, List<float[]> vectors, int partitions) {
        write(store, ids, texts, vectors, partitions);
        return storeRanker(store, SearchMode.DENSE);
    }

    /** Searches a store written by {@link #write} in a mode, with the partition filter on every leg. */
    static Ranker storeRanker(ChunkStore store, SearchMode mode) {
        return new Ranker() {
            @Override
            public List<String> search(float[] query, int k, String partition) {
                return search(null, query, k, partition);
            }

            @Override
            public List<String> search(String text, float[] query, int k, String partition) {
                return store.search(new SearchQuery(text, mode.usesVector() ? query : null, k,
                                MetadataFilter.equalTo(KEY, partition), mode)).stream()
                        .map(SearchHit::chunk).map(Chunk::documentId).distinct().toList();
            }
        };
    }

    /** Exact dense search in the partition fused (RRF, k) with a keyword ranker: the reference for hybrid. */
    static Ranker fused(Ranker dense, Ranker keyword, int rrfK) {
        return new Ranker() {
            @Override
            public List<String> search(float[] query, int k, String partition) {
                throw new IllegalStateException("hybrid search needs the query text");
            }

            @Override
            public List<String> search(String text, float[] query, int k, String partition) {
                return RrfFusion.fuse(List.of(dense.search(text, query, k, partition),
                        keyword.search(text, query, k, partition)), rrfK, k);
            }
        };
    }

    /** Writes every document, tagged with its partition, into the store. */
    static void write(ChunkStore store, List<String> ids, List<String> texts, List<float[]> vectors, int partitions) {
        List<StoredChunk> batch = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Chunk chunk = new Chunk(Chunk.idFor(id, 1, 0), id, 1, 0, texts.get(i), "", "", 0, texts.get(i).length(),
                    Map.of(KEY, partitionOf(id, partitions)));
            batch.add(new StoredChunk(chunk, vectors.get(i)));
            if (batch.size() == 512 || i == ids.size() - 1) {
                store.upsert(batch);
                batch = new ArrayList<>();
            }
        }
    }

    /** @param queryVectors in {@code data.queries()} order */
    static Scores evaluate(BeirDataset data, List<float[]> queryVectors, Ranker ranker, int partitions) {
        List<String> queryIds = List.copyOf(data.queries().keySet());
        double ndcg = 0, recall10 = 0, recall100 = 0, mrr = 0;
        int n = 0, skipped = 0;
        for (int i = 0; i < queryIds.size(); i++) {
            Map<String, Integer> judged = data.qrels().get(queryIds.get(i));
            String partition = judged.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey)
                    .findFirst().map(d -> partitionOf(d, partitions)).orElse(null);
            if (partition == null) {
                skipped++; // no relevant document: nothing to filter towards
                continue;
            }
            Map<String, Integer> inPartition = new LinkedHashMap<>();
            judged.forEach((d, g) -> {
                if (partitionOf(d, partitions).equals(partition)) inPartition.put(d, g);
            });
            List<String> ranking = ranker.search(data.queries().get(queryIds.get(i)), queryVectors.get(i), 100, partition);
            for (String d : ranking)
                if (!partitionOf(d, partitions).equals(partition))
                    throw new IllegalStateException("filtered search returned " + d + " from another partition");
            ndcg += RetrievalMetrics.ndcgAtK(ranking, inPartition, 10);
            recall10 += RetrievalMetrics.recallAtK(ranking, inPartition, 10);
            recall100 += RetrievalMetrics.recallAtK(ranking, inPartition, 100);
            mrr += RetrievalMetrics.mrrAtK(ranking, inPartition, 10);
            n++;
        }
        if (n == 0) throw new IllegalArgumentException("no query has a relevant document");
        return new Scores(ndcg / n, recall10 / n, recall100 / n, mrr / n, n, skipped);
    }
}
