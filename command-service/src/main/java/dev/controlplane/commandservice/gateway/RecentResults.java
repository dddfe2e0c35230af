package dev.controlplane.commandservice.gateway;

import dev.controlplane.schemas.CommandResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The last N results seen on the result log, by command id. */
final class RecentResults {

    private final Map<UUID, CommandResult> results;

    RecentResults(int capacity) {
        this.results = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, CommandResult> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void put(CommandResult result) {
        results.putIfAbsent(result.commandId(), result);
    }

    synchronized CommandResult get(UUID commandId) {
        return results.get(commandId);
    }
}
