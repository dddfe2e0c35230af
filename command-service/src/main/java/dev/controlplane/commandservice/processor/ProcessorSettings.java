package dev.controlplane.commandservice.processor;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the single-writer processor.
 *
 * @param stateDir       where the persistent state store lives; survives restarts, rebuilt from the changelog if lost
 * @param commitInterval how long Streams keeps deciding before it commits. At 0 it commits after every few records
 *                       (its loop interleaves processing and committing), which halved throughput here; 10 ms lets
 *                       everything that waited during one commit be decided in the next transaction
 * @param retryBackoff   the transactional producer's backoff: a commit right after another waits it out, and the
 *                       default 100 ms caps a loop at ~12 commits/s here (shared/MEASURED.md)
 * @param threads        stream threads; each owns some partitions
 */
@ConfigurationProperties("admin.processor")
public record ProcessorSettings(
        @DefaultValue("./data/processor") String stateDir,
        @DefaultValue("10ms") Duration commitInterval,
        @DefaultValue("5ms") Duration retryBackoff,
        @DefaultValue("1") int threads) {
}
