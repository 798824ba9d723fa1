package dev.ragline.classifier;

import dev.ragline.classifier.train.LabeledEmbeddings;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded Gaussian blobs: class c has its mean at {@code separation * e_c}; labels are "c0", "c1", ... */
public final class Synthetic {
    private Synthetic() {
    }

    public static LabeledEmbeddings blobs(int perClass, int classes, int dim, double separation, double noise, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[perClass * classes][dim];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            int c = i % classes;
            for (int d = 0; d < dim; d++) x[i][d] = (float) ((d == c ? separation : 0) + noise * r.nextGaussian());
            labels.add("c" + c);
        }
        return new LabeledEmbeddings(x, labels);
    }

    /** Points far from every class mean, labelled {@code label}. */
    public static LabeledEmbeddings outliers(int n, int dim, double offset, String label, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][dim];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) x[i][d] = (float) ((d == dim - 1 ? offset : 0) + 0.3 * r.nextGaussian());
            labels.add(label);
        }
        return new LabeledEmbeddings(x, labels);
    }
}
