package dev.ragline.evaluation.faithfulness;

import dev.ragline.core.Encoder;
import dev.ragline.core.Vectors;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Offline judge on the platform's encoder: the highest cosine similarity between the claim and any sentence of the
 * passages. Claims and sentences are both encoded as passages (no query instruction): it is a symmetric comparison.
 * Embeddings are cached, since the same passages are judged against many claims. Not thread-safe.
 */
public final class EmbeddingJudge implements SupportJudge {
    private static final int CACHE_SIZE = 50_000;

    private final Encoder encoder;
    private final double threshold;
    private final Map<String, float[]> cache = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public EmbeddingJudge(Encoder encoder, double threshold) {
        this.encoder = encoder;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "embedding";
    }

    @Override
    public double threshold() {
        return threshold;
    }

    @Override
    public double score(String claim, List<String> passages) {
        List<String> sentences = new ArrayList<>();
        for (String p : passages) sentences.addAll(ClaimSplitter.sentences(p));
        if (sentences.isEmpty()) return 0;
        List<String> texts = new ArrayList<>(sentences);
        texts.add(claim);
        prefetch(texts);
        float[] c = cache.get(claim);
        double best = -1;
        for (String s : sentences) best = Math.max(best, Vectors.dot(c, cache.get(s)));
        return best;
    }

    /** Encodes in one batch every text not cached yet: cheaper than one call per sentence. */
    public void prefetch(Collection<String> texts) {
        Set<String> missing = new LinkedHashSet<>();
        for (String t : texts) if (!cache.containsKey(t)) missing.add(t);
        if (missing.isEmpty()) return;
        List<String> batch = List.copyOf(missing);
        List<float[]> vectors = encoder.embedPassages(batch);
        for (int i = 0; i < batch.size(); i++) cache.put(batch.get(i), vectors.get(i));
    }

    /** The sentences the judge compares against, for callers that prefetch many passages at once. */
    public static List<String> sentencesOf(Collection<String> passages) {
        List<String> out = new ArrayList<>();
        for (String p : passages) out.addAll(ClaimSplitter.sentences(p));
        return out;
    }
}
