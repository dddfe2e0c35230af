package dev.controlplane.commandservice.processor;

import dev.controlplane.schemas.EventVersions;
import java.time.Duration;
import java.util.Map;
import org.springframework.util.unit.DataSize;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the single-writer processor.
 *
 * @param stateDir       where the persistent state store lives; survives restarts, rebuilt from the changelog if lost
 * @param commitInterval how long Streams keeps deciding before it commits, under load. At 0 it commits after every
 *                       few records (its loop interleaves processing and committing), which halved throughput here;
 *                       10 ms lets everything that waited during one commit be decided in the next transaction
 * @param commitWhenDrained whether a command that arrives alone is committed at once rather than at the interval
 *                       ({@link PollBacklog}); off, only the interval commits (to compare: {@code ./dev bench curve 10
 *                       --admin.processor.commit-when-drained=false})
 * @param retryBackoff   the transactional producer's backoff: a commit right after another waits it out, and the
 *                       default 100 ms caps a loop at ~12 commits/s here (shared/MEASURED.md)
 * @param threads        stream threads; each owns some partitions
 * @param idempotencyWindow how long the outcome of a command sent with an {@code Idempotency-Key} is returned to its
 *                       retries (and the key refused for any other request), however busy its resource
 * @param maxRecordBytes the largest record the processor writes (a resource's state, an event): a command that
 *                       would write more is refused with 413. Below Kafka's default 1 MiB record limit, so a send
 *                       never fails after the decision
 * @param standbyReplicas copies of each partition's state kept warm on other instances, so a hand-over after a
 *                       crash does not restore from the changelog
 * @param eventVersions  event types to write at an older schema version than the newest this build knows
 *                       ({@code admin.processor.event-versions[config.updated]=1}): during a rolling upgrade, while
 *                       instances that cannot read the newer version still run. Unset: every type at its newest
 */
@ConfigurationProperties("admin.processor")
public record ProcessorSettings(
        @DefaultValue("./data/processor") String stateDir,
        @DefaultValue("10ms") Duration commitInterval,
        @DefaultValue("true") boolean commitWhenDrained,
        @DefaultValue("5ms") Duration retryBackoff,
        @DefaultValue("1") int threads,
        @DefaultValue("24h") Duration idempotencyWindow,
        @DefaultValue("512KB") DataSize maxRecordBytes,
        @DefaultValue("1") int standbyReplicas,
        Map<String, Integer> eventVersions) {

    public ProcessorSettings {
        eventVersions = eventVersions == null ? Map.of() : Map.copyOf(eventVersions);
        Map<String, Integer> pinned = eventVersions;
        pinned.keySet().forEach(type -> EventVersions.written(type, pinned));
    }
}
