package dev.ragline.core;

/** Small vector helpers shared by encoders, stores and classifiers. */
public final class Vectors {
    private Vectors() {
    }

    public static float dot(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("dimension " + a.length + " != " + b.length);
        float sum = 0f;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    /** Scales the vector to unit length in place and returns it; a zero vector is left as is. */
    public static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) norm += (double) x * x;
        norm = Math.sqrt(norm);
        if (norm > 0) for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / norm);
        return v;
    }
}
