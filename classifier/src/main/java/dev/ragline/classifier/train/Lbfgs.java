package dev.ragline.classifier.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Limited-memory BFGS for smooth, unconstrained minimisation (Nocedal and Wright, algorithm 7.4) with a
 * backtracking Armijo line search. Fully deterministic: same start, same function, same result.
 */
public final class Lbfgs {

    /** Computes f(x), writing the gradient into {@code gradient}. */
    @FunctionalInterface
    public interface Objective {
        double valueAndGradient(double[] x, double[] gradient);
    }

    /** {@code values} holds f at the start and after every iteration (non-increasing). */
    public record Result(double[] x, double value, int iterations, boolean converged, List<Double> values) {
    }

    private final int maxIterations;
    private final double gradientTolerance;
    private final double relativeTolerance;
    private final int memory;

    /**
     * @param maxIterations     upper bound on iterations
     * @param gradientTolerance stop when the largest gradient component is below this
     * @param relativeTolerance stop when an iteration lowers f by less than this fraction of |f|
     */
    public Lbfgs(int maxIterations, double gradientTolerance, double relativeTolerance) {
        this(maxIterations, gradientTolerance, relativeTolerance, 10);
    }

    public Lbfgs(int maxIterations, double gradientTolerance, double relativeTolerance, int memory) {
        if (maxIterations < 1 || memory < 1) throw new IllegalArgumentException("maxIterations and memory must be >= 1");
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
        this.relativeTolerance = relativeTolerance;
        this.memory = memory;
    }

    public Result minimize(Objective objective, double[] start) {
        int n = start.length;
        double[] x = start.clone();
        double[] g = new double[n];
        double f = objective.valueAndGradient(x, g);
        check(f);
        List<Double> values = new ArrayList<>();
        values.add(f);
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        double[] alpha = new double[memory];
        int stored = 0, newest = -1;
        double[] direction = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];

        for (int iteration = 1; iteration <= maxIterations; iteration++) {
            if (maxAbs(g) < gradientTolerance) return new Result(x, f, iteration - 1, true, values);

            // two-loop recursion: direction = -H g
            System.arraycopy(g, 0, direction, 0, n);
            for (int j = 0; j < stored; j++) {
                int k = Math.floorMod(newest - j, memory);
                alpha[k] = rho[k] * dot(s[k], direction);
                axpy(-alpha[k], y[k], direction);
            }
            double gamma = stored == 0 ? 1.0 / Math.max(norm(g), 1e-12)
                    : dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            for (int i = 0; i < n; i++) direction[i] *= -gamma;
            for (int j = stored - 1; j >= 0; j--) {
                int k = Math.floorMod(newest - j, memory);
                double beta = rho[k] * dot(y[k], direction);
                axpy(-(alpha[k] + beta), s[k], direction);
            }
            double slope = dot(g, direction);
            if (slope >= 0) { // not a descent direction (numerical trouble): restart from steepest descent
                stored = 0;
                double scale = 1.0 / Math.max(norm(g), 1e-12);
                for (int i = 0; i < n; i++) direction[i] = -g[i] * scale;
                slope = dot(g, direction);
            }

            // backtracking line search with the Armijo condition
            double step = 1.0, fNew = Double.NaN;
            boolean accepted = false;
            for (int tries = 0; tries < 40; tries++) {
                for (int i = 0; i < n; i++) xNew[i] = x[i] + step * direction[i];
                fNew = objective.valueAndGradient(xNew, gNew);
                if (Double.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) return new Result(x, f, iteration - 1, false, values);

            int slot = (newest + 1) % memory;
            double[] sNew = s[slot] == null ? new double[n] : s[slot];
            double[] yNew = y[slot] == null ? new double[n] : y[slot];
            for (int i = 0; i < n; i++) {
                sNew[i] = xNew[i] - x[i];
                yNew[i] = gNew[i] - g[i];
            }
            double sy = dot(sNew, yNew);
            if (sy > 1e-12) { // keep the pair only if it carries positive curvature
                s[slot] = sNew;
                y[slot] = yNew;
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.min(stored + 1, memory);
            }
            double previous = f;
            System.arraycopy(xNew, 0, x, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            f = fNew;
            values.add(f);
            if (previous - f < relativeTolerance * Math.max(1.0, Math.abs(f)))
                return new Result(x, f, iteration, true, values);
        }
        return new Result(x, f, maxIterations, maxAbs(g) < gradientTolerance, values);
    }

    private static void check(double f) {
        if (!Double.isFinite(f)) throw new IllegalArgumentException("objective is not finite at the start: " + f);
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) y[i] += a * x[i];
    }

    private static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    private static double maxAbs(double[] a) {
        double max = 0;
        for (double v : a) max = Math.max(max, Math.abs(v));
        return max;
    }
}
