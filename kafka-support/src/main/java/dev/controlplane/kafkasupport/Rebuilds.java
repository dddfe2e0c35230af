package dev.controlplane.kafkasupport;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** The stores this process can rebuild, and the latest rebuild of each: one at a time per store. */
public final class Rebuilds implements AutoCloseable {

    private final Map<String, StoreRebuild.Target> targets;
    private final KafkaSettings kafka;
    private final Map<String, StoreRebuild> latest = new ConcurrentHashMap<>();

    public Rebuilds(List<StoreRebuild.Target> targets, KafkaSettings kafka) {
        this.targets = targets.stream().collect(Collectors.toUnmodifiableMap(StoreRebuild.Target::name, target -> target));
        this.kafka = kafka;
    }

    /** What came of asking for a rebuild. */
    public sealed interface Start {
        record Started(StoreRebuild.Progress progress) implements Start {
        }

        record AlreadyRunning(StoreRebuild.Progress progress) implements Start {
        }

        record Unknown() implements Start {
        }
    }

    public synchronized Start start(String store) {
        StoreRebuild.Target target = targets.get(store);
        if (target == null) {
            return new Start.Unknown();
        }
        StoreRebuild running = latest.get(store);
        if (running != null && !running.finished()) {
            return new Start.AlreadyRunning(running.progress());
        }
        StoreRebuild rebuild = StoreRebuild.start(target, kafka);
        latest.put(store, rebuild);
        return new Start.Started(rebuild.progress());
    }

    /** The stores this process rebuilds, by name, sorted. */
    public List<String> stores() {
        return targets.keySet().stream().sorted().toList();
    }

    /** The latest rebuild of {@code store} this process ran, if any. */
    public Optional<StoreRebuild.Progress> progress(String store) {
        return Optional.ofNullable(latest.get(store)).map(StoreRebuild::progress);
    }

    /** A rebuild still replaying when the process stops is given up; the live store is as it was. */
    @Override
    public void close() throws InterruptedException {
        for (StoreRebuild rebuild : latest.values()) {
            rebuild.cancel();
        }
    }
}
