package dev.controlplane.benchmarks;

import dev.controlplane.kafkasupport.LatencyRecorder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs N workers for a warm-up and then a measured wall-clock window, counting what completes inside the window.
 * Workers loop while {@link #running()} and report each completed operation with {@link #completed(long)}.
 */
final class LoadWindow {

    /** Operations per second inside the window, and their latency percentiles in microseconds. */
    record Measured(double perSecond, long p50Micros, long p99Micros) {
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean finished = new AtomicBoolean(false);
    private final AtomicBoolean measuring = new AtomicBoolean(false);
    private final LatencyRecorder latency = new LatencyRecorder(1 << 21);
    private final LongAdder completed = new LongAdder();

    boolean running() {
        return running.get();
    }

    /**
     * True once every worker has returned. Helpers that answer the workers (a responder, a reply reader) run until
     * then, so that no worker is left waiting out its timeout for a reply nobody will send.
     */
    boolean finished() {
        return finished.get();
    }

    /** Records one operation that started at {@code startNanos} ({@link System#nanoTime()}) and just completed. */
    void completed(long startNanos) {
        if (measuring.get()) {
            latency.record((System.nanoTime() - startNanos) / 1000);
            completed.increment();
        }
    }

    Measured run(int workers, Runnable worker, Duration warmup, Duration measure) throws InterruptedException {
        Thread[] threads = new Thread[workers];
        for (int i = 0; i < workers; i++) {
            threads[i] = Thread.ofPlatform().start(worker);
        }
        // The window is wall-clock time by definition; sleeping through it is the measurement, not a wait for a condition.
        Thread.sleep(warmup.toMillis());
        measuring.set(true);
        long start = System.nanoTime();
        Thread.sleep(measure.toMillis());
        measuring.set(false);
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        for (Thread thread : threads) {
            thread.join(35_000);
        }
        finished.set(true);
        return new Measured(completed.sum() / seconds, latency.percentile(50), latency.percentile(99));
    }
}
