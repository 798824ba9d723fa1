package dev.ragline.evaluation.retrieval;

import java.util.List;

/** The search step under evaluation: from an L2-normalised query vector to document ids, best first. */
@FunctionalInterface
public interface Retriever {
    List<String> search(float[] queryVector, int k);

    /** With the query text too, for keyword and hybrid retrievers; dense ones ignore it. */
    default List<String> search(String queryText, float[] queryVector, int k) {
        return search(queryVector, k);
    }
}
