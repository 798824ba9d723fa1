package dev.ragline.evaluation.retrieval;

import dev.ragline.core.Vectors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Exact cosine search over all documents (vectors are L2-normalised, so the dot product is the cosine): the
 * reference every approximate index is measured against. Equal scores are ordered as trec_eval orders them
 * (document id descending), see {@link dev.ragline.evaluation.metrics.RetrievalMetrics#rank}.
 */
public final class ExactSearch implements Retriever {
    private record Scored(String id, float score) {
    }

    /** Worst first, so the queue's head is the one to drop. */
    private static final Comparator<Scored> WORST_FIRST =
            Comparator.comparingDouble(Scored::score).thenComparing(Scored::id);

    private final List<String> ids;
    private final List<float[]> vectors;

    public ExactSearch(List<String> ids, List<float[]> vectors) {
        if (ids.size() != vectors.size())
            throw new IllegalArgumentException(ids.size() + " ids but " + vectors.size() + " vectors");
        this.ids = List.copyOf(ids);
        this.vectors = List.copyOf(vectors);
    }

    @Override
    public List<String> search(float[] queryVector, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        PriorityQueue<Scored> top = new PriorityQueue<>(k + 1, WORST_FIRST);
        for (int i = 0; i < ids.size(); i++) {
            top.add(new Scored(ids.get(i), Vectors.dot(queryVector, vectors.get(i))));
            if (top.size() > k) top.poll();
        }
        List<Scored> best = new ArrayList<>(top);
        best.sort(WORST_FIRST.reversed());
        return best.stream().map(Scored::id).toList();
    }
}
