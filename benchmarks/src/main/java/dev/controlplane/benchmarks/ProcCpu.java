package dev.controlplane.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** CPU time as Linux counts it in /proc, for a process, its threads and the whole machine. */
final class ProcCpu {

    private ProcCpu() {
    }

    /** Linux's USER_HZ, which /proc reports CPU time in: 100 on every architecture Linux runs Java on. */
    static final long TICKS_PER_SECOND = 100;

    static long processTicks(long pid) throws IOException {
        return ticks(Path.of("/proc", String.valueOf(pid), "stat"));
    }

    /** utime + stime from a process's or a thread's stat file (fields 14 and 15, after the parenthesised name). */
    private static long ticks(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** CPU ticks per thread id, with the thread's name. */
    static Map<String, Long> threadTicks(long pid) throws IOException {
        Map<String, Long> byThread = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    byThread.put(task.getFileName() + " " + name, ticks(task.resolve("stat")));
                } catch (IOException exited) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return byThread;
    }

    /**
     * CPU ms per unit of work (a write, a delivery) by group of threads, largest first: Linux keeps 15 characters of a thread's name, and the
     * digits are dropped so that a pool's threads (data-plane-kafka-request-handler-0..7) count as one.
     */
    static Map<String, Double> perUnit(Map<String, Long> before, Map<String, Long> after, long units) {
        Map<String, Long> groups = new java.util.HashMap<>();
        after.forEach((thread, ticks) -> {
            long spent = ticks - before.getOrDefault(thread, 0L);
            if (spent > 0) {
                String group = thread.substring(thread.indexOf(' ') + 1).replaceAll("[0-9]+", "").replaceAll("[-_ ]+$", "");
                groups.merge(group, spent, Long::sum);
            }
        });
        Map<String, Double> perUnit = new java.util.LinkedHashMap<>();
        groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> perUnit.put(e.getKey(), units == 0 ? 0 : e.getValue() * 1000.0 / TICKS_PER_SECOND / units));
        return perUnit;
    }

    /**
     * Waits until {@code pid} uses at most {@code cores} of CPU over a second (or {@code max} has passed), and returns
     * what it used over the last second: work a benchmark's setup left behind (the JIT compiling what the setup ran,
     * compactions, projections) is then not counted as the work measured after it.
     */
    static double awaitQuiet(long pid, double cores, java.time.Duration max) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            long before = processTicks(pid);
            long start = System.nanoTime();
            // A second of the process's own CPU is the measurement; sleeping through it is reading the clock.
            Thread.sleep(1000);
            double used = (processTicks(pid) - before) / (double) TICKS_PER_SECOND / ((System.nanoTime() - start) / 1e9);
            if (used <= cores || System.nanoTime() > deadline) {
                return used;
            }
        }
    }

    /** The machine's total and idle (idle + iowait) ticks, from the first line of /proc/stat. */
    static long[] machineTicks() throws IOException {
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal; guest time is already counted in user and nice.
        for (int i = 1; i <= 8 && i < cpu.length; i++) {
            total += Long.parseLong(cpu[i]);
        }
        return new long[] {total, Long.parseLong(cpu[4]) + Long.parseLong(cpu[5])};
    }
}
