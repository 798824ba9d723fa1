package dev.ragline.app.wiring;

import dev.ragline.app.api.TooBusyException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds one kind of work: at most {@code max-concurrent} at once, at most {@code max-waiting} callers waiting (in
 * arrival order) for a slot, each for at most {@code max-wait}. Beyond that the caller is told at once (429, or 503
 * after waiting) instead of joining a line that only grows. A plain fair semaphore: SmallRye Fault Tolerance's
 * bulkhead queues only asynchronous calls and bounds no waiting time.
 */
public class Bulkhead {

    /** A held slot; closing it (once) lets the next waiter in. */
    public interface Slot extends AutoCloseable {
        @Override void close();
    }

    private final String busy, inFlightNoun, configPrefix;
    private final int maxConcurrent, maxWaiting;
    private final Duration maxWait;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong rejectedFull = new AtomicLong(), rejectedTimeout = new AtomicLong();

    /**
     * @param busy          what is busy, for messages ("the decoder")
     * @param inFlightNoun  what holds the slots, for messages ("answers are being read")
     * @param configPrefix  where the three settings live ("ragline.ask")
     */
    Bulkhead(String busy, String inFlightNoun, String configPrefix, int maxConcurrent, int maxWaiting, Duration maxWait) {
        if (maxConcurrent < 1) throw new IllegalArgumentException(configPrefix + ".max-concurrent must be >= 1, got " + maxConcurrent);
        if (maxWaiting < 0) throw new IllegalArgumentException(configPrefix + ".max-waiting must be >= 0, got " + maxWaiting);
        this.busy = busy;
        this.inFlightNoun = inFlightNoun;
        this.configPrefix = configPrefix;
        this.maxConcurrent = maxConcurrent;
        this.maxWaiting = maxWaiting;
        this.maxWait = maxWait;
        this.slots = new Semaphore(maxConcurrent, true);
    }

    /** A slot now, or after waiting; else {@link TooBusyException} (429 line full, 503 waited too long). */
    public Slot acquire() {
        if (!slots.tryAcquire()) {
            if (waiting.incrementAndGet() > maxWaiting) {
                waiting.decrementAndGet();
                rejectedFull.incrementAndGet();
                throw new TooBusyException(429, busy + " is busy: " + maxConcurrent + " " + inFlightNoun + " and "
                        + maxWaiting + " are waiting (" + configPrefix + ".max-concurrent, " + configPrefix
                        + ".max-waiting); retry later", retryAfterSeconds());
            }
            try {
                if (!slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                    rejectedTimeout.incrementAndGet();
                    throw new TooBusyException(503, busy + " is busy: no slot came free within " + maxWait.toMillis()
                            + " ms (" + configPrefix + ".max-wait); retry later", retryAfterSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TooBusyException(503, "interrupted while waiting for " + busy, retryAfterSeconds());
            } finally {
                waiting.decrementAndGet();
            }
        }
        AtomicBoolean held = new AtomicBoolean(true);
        return () -> {
            if (held.getAndSet(false)) slots.release();
        };
    }

    private long retryAfterSeconds() {
        return Math.max(1, (maxWait.toMillis() + 999) / 1000);
    }

    public int inFlight() {
        return maxConcurrent - slots.availablePermits();
    }

    public int waiting() {
        return waiting.get();
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    public int maxWaiting() {
        return maxWaiting;
    }

    public Duration maxWait() {
        return maxWait;
    }

    long rejectedQueueFull() {
        return rejectedFull.get();
    }

    long rejectedWaitTimeout() {
        return rejectedTimeout.get();
    }
}
