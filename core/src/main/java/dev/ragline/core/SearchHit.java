package dev.ragline.core;

/**
 * A chunk returned by a search with its score: the cosine similarity for a dense search (higher is better), the
 * BM25 score for a keyword search, the reciprocal-rank-fusion score for a hybrid search. {@code dense} and
 * {@code keyword} say whether each leg found the chunk, at which rank (from 1) and with which leg score; null when
 * that leg did not find it or did not run (the plain vector {@link ChunkStore#search(float[], int, MetadataFilter)}
 * leaves both null). {@code rerankScore} is the reranking stage's score (a cross-encoder's relevance logit) when the
 * hit went through one, else null; a reranked list is ordered by it while {@code score} and the legs stay those of
 * the first stage.
 */
public record SearchHit(Chunk chunk, double score, Leg dense, Leg keyword, Double rerankScore) {

    /** One leg's view of a hit: its rank in that leg's list (1 = best) and the leg's own score. */
    public record Leg(int rank, double score) {
        public Leg {
            if (rank < 1) throw new IllegalArgumentException("rank counts from 1, was " + rank);
        }
    }

    public SearchHit(Chunk chunk, double score, Leg dense, Leg keyword) {
        this(chunk, score, dense, keyword, null);
    }

    public SearchHit(Chunk chunk, double score) {
        this(chunk, score, null, null, null);
    }

    /** This hit with a reranking score; everything from the first stage is kept. */
    public SearchHit withRerankScore(double value) {
        return new SearchHit(chunk, score, dense, keyword, value);
    }

    /** The same hit for another view of its chunk (see {@link Tenant#view}). */
    public SearchHit withChunk(Chunk other) {
        return new SearchHit(other, score, dense, keyword, rerankScore);
    }
}
