package dev.controlplane.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.ResourceRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The checker finds each kind of anomaly it claims to: a checker that cannot fail proves nothing. */
class HistoryCheckerTest {

    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    private final Map<String, List<EventEnvelope>> byResource = new HashMap<>();
    private final Map<String, List<EventEnvelope>> byCommand = new HashMap<>();
    private final Map<String, List<CommandResult>> results = new HashMap<>();
    private final Map<String, HistoryChecker.Command> commands = new HashMap<>();
    private final Set<String> eventIds = new HashSet<>();
    private final History history = new History();

    /** An accepted command that wrote version {@code sequence} of tenant {@code name}, and its acknowledged answer. */
    private UUID written(String name, long sequence, Long expected, String key) {
        UUID command = UUID.randomUUID();
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), "tenant.updated", 1, new ResourceRef("tenant", name), sequence,
                command, "admin", null, T.plusSeconds(sequence), Envelopes.MAPPER.createObjectNode().put("name", name), null);
        byResource.computeIfAbsent("tenant/" + name, k -> new ArrayList<>()).add(event);
        byCommand.computeIfAbsent(command.toString(), k -> new ArrayList<>()).add(event);
        eventIds.add(event.id().toString());
        results.put(command.toString(), List.of(result(command, name, sequence, null)));
        commands.put(command.toString(), new HistoryChecker.Command("tenant/" + name, key, "h"));
        history.add(new History.Operation(0, History.Kind.PUT_EXACT, name, expected, key, "t", T, T, History.Completion.OK, 200,
                sequence, command.toString(), null, "{\"v\":" + sequence + "}"));
        return command;
    }

    private static CommandResult result(UUID command, String name, long version, UUID replayOf) {
        return new CommandResult(command, 1, "tenant.update", new ResourceRef("tenant", name), CommandResult.Outcome.accepted, version,
                null, null, T, replayOf);
    }

    private HistoryChecker.Report check() throws Exception {
        HistoryChecker.Log log = new HistoryChecker.Log(byResource, byCommand, results, commands, eventIds, 0);
        return new HistoryChecker().check(log, history, "t", List.of(), null, null, null, T, null);
    }

    @Test
    void aCleanHistory_hasNoAnomaly() throws Exception {
        written("t-a", 1, null, null);
        written("t-a", 2, 1L, null);
        assertThat(check().anomalies()).isEmpty();
    }

    @Test
    void anAcknowledgedWriteMissingFromTheLog_isFound() throws Exception {
        written("t-a", 1, null, null);
        UUID lost = written("t-a", 2, 1L, null);
        byCommand.remove(lost.toString());
        assertThat(check().anomalies()).containsKey("acknowledged write not in the log exactly once");
    }

    @Test
    void aGapInVersions_andTwoAcceptancesOfOneExpectedVersion_areFound() throws Exception {
        written("t-a", 1, null, null);
        written("t-a", 3, 1L, null);
        written("t-b", 1, null, null);
        written("t-b", 2, 1L, null);
        written("t-b", 3, 1L, null);
        var anomalies = check().anomalies();
        assertThat(anomalies).containsKeys("versions with a gap or a repeat", "two writes accepted for one expected version");
    }

    @Test
    void a412NamingAVersionNeverWritten_retriesAnsweredDifferently_andAStaleRead_areFound() throws Exception {
        written("t-a", 1, null, null);
        written("t-a", 2, 1L, "k");
        history.add(new History.Operation(0, History.Kind.PUT_EXACT, "t-a", 1L, null, "t", T, T, History.Completion.FAIL, 412, null,
                null, 9L, "{}"));
        history.add(new History.Operation(0, History.Kind.RETRY, "t-a", 1L, "k", "t", T, T, History.Completion.FAIL, 412, null,
                null, 2L, "{}"));
        history.add(new History.Operation(0, History.Kind.READ, "t-a", null, null, "t", T.plusSeconds(1), T.plusSeconds(1),
                History.Completion.OK, 200, 1L, null, null, "{}"));
        var anomalies = check().anomalies();
        assertThat(anomalies).containsKeys("412 naming a version the resource never had", "retries with one key answered differently",
                "read older than its client's acknowledged write");
    }

    @Test
    void aWriteAcceptedPastItsIfMatch_aRefusedWriteThatChangedSomething_andAFalseReplay_areFound() throws Exception {
        written("t-a", 1, null, null);
        written("t-a", 2, 1L, null);
        written("t-a", 4, 2L, null);
        UUID refused = written("t-b", 1, null, null);
        history.add(new History.Operation(0, History.Kind.PUT_EXACT, "t-b", 1L, null, "t", T, T, History.Completion.FAIL, 409, null,
                refused.toString(), null, "{}"));
        UUID retry = UUID.randomUUID();
        results.put(retry.toString(), List.of(result(retry, "t-a", 1, UUID.fromString(byResource.get("tenant/t-a").getFirst().commandId().toString()))));
        commands.put(retry.toString(), new HistoryChecker.Command("tenant/t-a", "other-key", "h"));
        history.add(new History.Operation(0, History.Kind.RETRY, "t-a", null, "other-key", "t", T, T, History.Completion.OK, 200, 1L,
                retry.toString(), null, "{}"));
        var anomalies = check().anomalies();
        assertThat(anomalies).containsKeys("a write accepted at another version than If-Match + 1", "a refused write changed something",
                "a replay answered with another request's outcome");
    }

    @Test
    void aCommandWithoutItsResult_isFound() throws Exception {
        written("t-a", 1, null, null);
        commands.put(UUID.randomUUID().toString(), new HistoryChecker.Command("tenant/t-a", null, "h"));
        assertThat(check().anomalies()).containsKey("command without exactly one result");
    }
}
