package dev.ragline.classifier.train;

import java.util.List;

/** Embeddings with one label string each. */
public record LabeledEmbeddings(float[][] x, List<String> labels) {
    public LabeledEmbeddings {
        labels = List.copyOf(labels);
        if (x.length != labels.size()) throw new IllegalArgumentException(x.length + " embeddings but " + labels.size() + " labels");
        if (x.length == 0) throw new IllegalArgumentException("no examples");
    }

    public LabeledEmbeddings select(List<Integer> indices) {
        float[][] sub = new float[indices.size()][];
        String[] l = new String[indices.size()];
        for (int j = 0; j < sub.length; j++) {
            sub[j] = x[indices.get(j)];
            l[j] = labels.get(indices.get(j));
        }
        return new LabeledEmbeddings(sub, List.of(l));
    }

    public LabeledEmbeddings concat(LabeledEmbeddings other) {
        float[][] all = new float[x.length + other.x.length][];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(other.x, 0, all, x.length, other.x.length);
        return new LabeledEmbeddings(all, java.util.stream.Stream.concat(labels.stream(), other.labels.stream()).toList());
    }
}
