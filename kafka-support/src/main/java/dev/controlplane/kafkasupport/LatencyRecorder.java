package dev.controlplane.kafkasupport;

import java.util.Arrays;

/** Keeps the most recent latencies (microseconds) in a ring and answers percentiles over them. */
public final class LatencyRecorder {

    private final long[] ring;
    private long count;

    public LatencyRecorder(int capacity) {
        this.ring = new long[capacity];
    }

    public synchronized void record(long micros) {
        ring[(int) (count++ % ring.length)] = micros;
    }

    public synchronized void reset() {
        count = 0;
    }

    public synchronized long count() {
        return count;
    }

    /** The p-th percentile (0–100) in microseconds of what was recorded since the last reset; 0 when empty. */
    public synchronized long percentile(double p) {
        int n = (int) Math.min(count, ring.length);
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(ring, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n) - 1;
        return sorted[Math.clamp(rank, 0, n - 1)];
    }
}
