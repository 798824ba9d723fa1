package dev.ragline.evaluation.retrieval;

import java.util.List;

/** The search step under evaluation: from an L2-normalised query vector to document ids, best first. */
@FunctionalInterface
public interface Retriever {
    List<String> search(float[] queryVector, int k);
}
