package dev.ragline.evaluation;

import java.io.PrintStream;

/**
 * A single progress line on stderr for long runs ({@code [faithfulness] 120/600 20% 4.1/s eta 1m57s}), redrawn at
 * most twice a second. Not thread-safe.
 */
public final class Progress implements AutoCloseable {
    private final String task;
    private final long total;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private long done;
    private long lastDrawNanos;

    public Progress(String task, long total, PrintStream out) {
        this.task = task;
        this.total = total;
        this.out = out;
    }

    public static Progress stderr(String task, long total) {
        return new Progress(task, total, System.err);
    }

    /** Progress that prints nothing, for tests and library callers. */
    public static Progress silent() {
        return new Progress("", 0, null);
    }

    public void step() {
        advance(1);
    }

    public void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (out != null && (now - lastDrawNanos > 500_000_000L || done == total)) {
            lastDrawNanos = now;
            out.print("\r" + line(now));
            out.flush();
        }
    }

    public long done() {
        return done;
    }

    String line(long nowNanos) {
        double seconds = Math.max(1e-9, (nowNanos - startNanos) / 1e9);
        double rate = done / seconds;
        StringBuilder s = new StringBuilder("[").append(task).append("] ").append(done);
        if (total > 0) {
            s.append('/').append(total).append(' ').append(Math.round(100.0 * done / total)).append('%');
        }
        s.append(String.format(" %.1f/s", rate));
        if (total > 0 && rate > 0 && done < total) s.append(" eta ").append(duration((total - done) / rate));
        return s.toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }

    @Override
    public void close() {
        if (out != null) {
            out.print("\r" + line(System.nanoTime()) + " done in " + duration((System.nanoTime() - startNanos) / 1e9));
            out.println();
        }
    }
}
