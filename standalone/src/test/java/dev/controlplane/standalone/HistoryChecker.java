package dev.controlplane.standalone;

import dev.controlplane.jdbcstore.Database;
import dev.controlplane.jdbcstore.SqlStore;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.EventEnvelope;
import dev.controlplane.schemas.Topics;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.databind.JsonNode;

/**
 * Checks a recorded {@link History} against the log itself (not only the stores): what was acknowledged is in
 * {@code admin.events} once, versions run 1, 2, 3 …, no two writes with one expected version were both accepted,
 * every 412 names a version the resource had, retries with one key got one answer, every command got one result,
 * reads after an acknowledged write saw it, the read models equal a fold of the log, the audit store has one record
 * per event, and every matching event reached the subscription (one attempt in flight at a time).
 */
final class HistoryChecker {

    /** What was checked, and every anomaly found, by kind. */
    record Report(Map<String, Long> counts, Map<String, List<String>> anomalies) {

        boolean clean() {
            return anomalies.isEmpty();
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("history check:");
            counts.forEach((name, count) -> text.append("\n  ").append(name).append(": ").append(count));
            if (anomalies.isEmpty()) {
                text.append("\n  anomalies: none");
            }
            anomalies.forEach((kind, found) -> text.append("\n  anomaly ").append(kind).append(": ").append(found.size())
                    .append(found.stream().limit(5).map(f -> "\n    " + f).collect(Collectors.joining())));
            return text.toString();
        }
    }

    private final Map<String, List<String>> anomalies = new TreeMap<>();
    private final Map<String, Long> counts = new LinkedHashMap<>();

    private void anomaly(String kind, String what) {
        anomalies.computeIfAbsent(kind, k -> new ArrayList<>()).add(what);
    }

    /** A command of the run as its topic has it. */
    record Command(String resource, String idempotencyKey, String requestHash) {
    }

    /**
     * The log as the checker reads it: events by resource and by command, results by command, the run's commands, and
     * how many event records could not be read.
     */
    record Log(Map<String, List<EventEnvelope>> byResource, Map<String, List<EventEnvelope>> byCommand,
               Map<String, List<CommandResult>> results, Map<String, Command> commands, Set<String> eventIds, int unreadable) {

        static Log read(String bootstrap, String prefix) {
            Map<String, List<EventEnvelope>> byResource = new HashMap<>();
            Map<String, List<EventEnvelope>> byCommand = new HashMap<>();
            Set<String> eventIds = new HashSet<>();
            int unreadable = 0;
            for (ConsumerRecord<String, byte[]> record : LogProbe.read(bootstrap, Topics.EVENTS)) {
                EventEnvelope event;
                try {
                    event = Envelopes.readEvent(record.value());
                } catch (RuntimeException e) {
                    unreadable++;
                    continue;
                }
                eventIds.add(event.id().toString());
                byResource.computeIfAbsent(event.resource().key(), k -> new ArrayList<>()).add(event);
                byCommand.computeIfAbsent(event.commandId().toString(), k -> new ArrayList<>()).add(event);
            }
            Map<String, List<CommandResult>> results = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : LogProbe.read(bootstrap, Topics.COMMAND_RESULTS)) {
                try {
                    CommandResult result = Envelopes.readResult(record.value());
                    results.computeIfAbsent(result.commandId().toString(), k -> new ArrayList<>()).add(result);
                } catch (RuntimeException e) {
                    // not a result this checker can read
                }
            }
            Map<String, Command> commands = new HashMap<>();
            for (String topic : List.of(Topics.COMMANDS, Topics.IDEMPOTENT_COMMANDS)) {
                for (ConsumerRecord<String, byte[]> record : LogProbe.read(bootstrap, topic)) {
                    try {
                        JsonNode command = Envelopes.MAPPER.readTree(record.value());
                        String resource = command.path("resource").path("kind").asString() + "/" + command.path("resource").path("name").asString();
                        if (resource.startsWith("tenant/" + prefix)) {
                            commands.put(command.path("id").asString(), new Command(resource,
                                    command.path("idempotency_key").asString(null), command.path("request_hash").asString(null)));
                        }
                    } catch (RuntimeException e) {
                        // not a command of this run
                    }
                }
            }
            return new Log(byResource, byCommand, results, commands, eventIds, unreadable);
        }

        /** True once every command of the run has its result. */
        boolean decided() {
            return commands.keySet().stream().allMatch(results::containsKey);
        }
    }

    /**
     * @param readModels   the SQLite files of every query instance's read model
     * @param audit        the audit store's SQLite file
     * @param subscription the path the run's subscription delivers to, with the time it was created
     * @param webhooks     the dispatchers' store, whose attempt log is checked for overlapping attempts, or null
     */
    Report check(Log log, History history, String prefix, List<Path> readModels, Path audit, DeliveryLog deliveries,
                 String subscription, Instant subscribedAt, Path webhooks) throws Exception {
        List<History.Operation> operations = history.operations();
        counts.put("operations", (long) operations.size());
        counts.put("acknowledged writes", operations.stream().filter(o -> o.kind() != History.Kind.READ
                && o.completion() == History.Completion.OK).count());
        counts.put("definite failures", history.count(History.Completion.FAIL));
        counts.put("unknown outcomes", history.count(History.Completion.UNKNOWN));
        counts.put("reads", operations.stream().filter(o -> o.kind() == History.Kind.READ).count());
        counts.put("commands on the log", (long) log.commands().size());
        long runEvents = log.byResource().entrySet().stream().filter(e -> e.getKey().startsWith("tenant/" + prefix))
                .mapToLong(e -> e.getValue().size()).sum();
        counts.put("events of the run", runEvents);

        if (log.unreadable() > 0) {
            anomaly("event records that cannot be read", String.valueOf(log.unreadable()));
        }
        checkAcknowledged(log, operations);
        checkRefused(log, operations);
        checkVersions(log, prefix);
        checkExpectedVersions(log, operations);
        check412s(log, operations);
        checkRetries(operations);
        checkResults(log);
        checkReads(operations);
        for (Path readModel : readModels) {
            checkReadModel(log, prefix, readModel);
        }
        if (audit != null) {
            checkAudit(log, audit);
        }
        if (deliveries != null) {
            checkDeliveries(log, prefix, deliveries, subscription, subscribedAt);
        }
        if (webhooks != null) {
            checkAttempts(webhooks);
        }
        return new Report(counts, anomalies);
    }

    /** Every acknowledged write is an event of its command (or, for a retry, of the command it replayed), once. */
    private void checkAcknowledged(Log log, List<History.Operation> operations) {
        for (History.Operation op : operations) {
            if (op.kind() == History.Kind.READ || op.completion() != History.Completion.OK) {
                continue;
            }
            List<CommandResult> results = log.results().getOrDefault(op.commandId(), List.of());
            if (results.size() != 1) {
                anomaly("acknowledged write without exactly one result", op.resource() + " command " + op.commandId() + ": " + results.size());
                continue;
            }
            CommandResult result = results.getFirst();
            String origin = result.replayOf() != null ? result.replayOf().toString() : op.commandId();
            if (result.replayOf() != null) {
                Command retry = log.commands().get(op.commandId());
                Command first = log.commands().get(origin);
                if (retry == null || first == null || retry.idempotencyKey() == null
                        || !retry.idempotencyKey().equals(first.idempotencyKey()) || !Objects.equals(retry.requestHash(), first.requestHash())) {
                    anomaly("a replay answered with another request's outcome", op.resource() + " command " + op.commandId() + " replayed " + origin);
                    continue;
                }
            }
            List<EventEnvelope> events = log.byCommand().getOrDefault(origin, List.of());
            if (events.size() != 1) {
                anomaly("acknowledged write not in the log exactly once", op.resource() + " v" + op.version() + " command " + origin
                        + ": " + events.size() + " events");
                continue;
            }
            EventEnvelope event = events.getFirst();
            if (op.expected() != null && result.replayOf() == null && op.kind() != History.Kind.PUT_ANY && event.sequence() != op.expected() + 1) {
                anomaly("a write accepted at another version than If-Match + 1", op.resource() + " If-Match " + op.expected()
                        + " accepted as v" + event.sequence());
            }
            if (!event.resource().key().equals("tenant/" + op.resource()) || event.sequence() != op.version()) {
                anomaly("acknowledged version differs from the log", op.resource() + " acknowledged v" + op.version() + ", log has "
                        + event.resource().key() + " v" + event.sequence());
            }
        }
    }

    /** A definite refusal changed nothing: its command has no event, and its result is a rejection. */
    private void checkRefused(Log log, List<History.Operation> operations) {
        for (History.Operation op : operations) {
            if (op.kind() == History.Kind.READ || op.completion() != History.Completion.FAIL || op.commandId() == null) {
                continue;
            }
            if (!log.byCommand().getOrDefault(op.commandId(), List.of()).isEmpty()) {
                anomaly("a refused write changed something", op.resource() + " " + op.status() + " command " + op.commandId());
            }
            List<CommandResult> results = log.results().getOrDefault(op.commandId(), List.of());
            if (results.size() != 1 || results.getFirst().accepted()) {
                anomaly("a refused write without exactly one rejection", op.resource() + " command " + op.commandId());
            }
        }
    }

    /** Each resource's versions are 1, 2, 3 … with no gap and no repeat. */
    private void checkVersions(Log log, String prefix) {
        long resources = 0;
        for (var entry : log.byResource().entrySet()) {
            if (!entry.getKey().startsWith("tenant/" + prefix)) {
                continue;
            }
            resources++;
            List<Long> sequences = entry.getValue().stream().map(EventEnvelope::sequence).sorted().toList();
            for (int i = 0; i < sequences.size(); i++) {
                if (sequences.get(i) != i + 1) {
                    anomaly("versions with a gap or a repeat", entry.getKey() + ": " + sequences);
                    break;
                }
            }
        }
        counts.put("resources of the run", resources);
    }

    /** No two different commands naming the same expected version of a resource were both accepted. */
    private void checkExpectedVersions(Log log, List<History.Operation> operations) {
        Map<String, Set<String>> accepted = new HashMap<>();
        for (History.Operation op : operations) {
            if (op.completion() != History.Completion.OK || op.expected() == null || op.kind() == History.Kind.READ) {
                continue;
            }
            CommandResult result = log.results().getOrDefault(op.commandId(), List.of()).stream().findFirst().orElse(null);
            String origin = result != null && result.replayOf() != null ? result.replayOf().toString() : op.commandId();
            accepted.computeIfAbsent(op.resource() + "@" + op.expected(), k -> new HashSet<>()).add(origin);
        }
        accepted.forEach((at, commands) -> {
            if (commands.size() > 1) {
                anomaly("two writes accepted for one expected version", at + ": " + commands);
            }
        });
    }

    /** A 412 names a version the resource really had. */
    private void check412s(Log log, List<History.Operation> operations) {
        for (History.Operation op : operations) {
            if (op.status() != 412 || op.currentVersion() == null) {
                continue;
            }
            if (op.expected() != null && op.currentVersion().equals(op.expected())) {
                anomaly("412 naming the version that was asked for", op.resource() + " If-Match " + op.expected());
            }
            long last = log.byResource().getOrDefault("tenant/" + op.resource(), List.of()).stream()
                    .mapToLong(EventEnvelope::sequence).max().orElse(0);
            if (op.currentVersion() < 1 || op.currentVersion() > last) {
                anomaly("412 naming a version the resource never had", op.resource() + " current_version " + op.currentVersion()
                        + ", log ends at " + last);
            }
        }
    }

    /** Every definite answer to one Idempotency-Key is the same answer. */
    private void checkRetries(List<History.Operation> operations) {
        Map<String, List<History.Operation>> byKey = operations.stream()
                // 5xx answers ask for a retry (nothing was decided): only decided answers must agree.
                .filter(o -> o.key() != null && o.completion() != History.Completion.UNKNOWN && o.status() != 0 && o.status() < 500)
                .collect(Collectors.groupingBy(o -> o.client() + "/" + o.key()));
        long retried = 0;
        for (var entry : byKey.entrySet()) {
            List<History.Operation> answers = entry.getValue();
            if (answers.size() < 2) {
                continue;
            }
            retried++;
            History.Operation first = answers.getFirst();
            for (History.Operation other : answers.subList(1, answers.size())) {
                if (other.status() != first.status() || !Objects.equals(other.version(), first.version())
                        || (first.status() < 300 && !Objects.equals(json(other.body()), json(first.body())))) {
                    anomaly("retries with one key answered differently", entry.getKey() + ": " + first.status() + " v" + first.version()
                            + " then " + other.status() + " v" + other.version());
                }
            }
        }
        counts.put("keys answered more than once", retried);
    }

    private static JsonNode json(String body) {
        try {
            return Envelopes.MAPPER.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every command of the run got exactly one result. */
    private void checkResults(Log log) {
        for (var command : log.commands().entrySet()) {
            int results = log.results().getOrDefault(command.getKey(), List.of()).size();
            if (results != 1) {
                anomaly("command without exactly one result", command.getValue() + " command " + command.getKey() + ": " + results);
            }
        }
    }

    /** A consistent read never shows a version older than one its client had already seen acknowledged. */
    private void checkReads(List<History.Operation> operations) {
        Map<String, List<History.Operation>> byClient = operations.stream()
                .sorted(Comparator.comparing(History.Operation::invoked))
                .collect(Collectors.groupingBy(o -> o.client() + "/" + o.resource()));
        for (List<History.Operation> ops : byClient.values()) {
            long acknowledged = 0;
            for (History.Operation op : ops) {
                if (op.kind() == History.Kind.READ && op.status() == 404 && acknowledged > 0) {
                    anomaly("404 for a resource its client had been acknowledged", op.resource() + " from " + op.target());
                }
                if (op.kind() == History.Kind.READ && op.status() == 200 && op.version() != null && op.version() < acknowledged) {
                    anomaly("read older than its client's acknowledged write", op.resource() + " read v" + op.version()
                            + " after v" + acknowledged + " was acknowledged, from " + op.target());
                }
                if (op.kind() != History.Kind.READ && op.completion() == History.Completion.OK && op.version() != null) {
                    acknowledged = Math.max(acknowledged, op.version());
                }
            }
        }
    }

    /** The read model holds, for every resource of the run, its last version and that version's document. */
    private void checkReadModel(Log log, String prefix, Path file) throws Exception {
        Map<String, long[]> versions = new HashMap<>();
        Map<String, JsonNode> documents = new HashMap<>();
        try (SqlStore store = SqlStore.open(Database.at("jdbc:sqlite:" + file), "read-model", 1)) {
            store.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT name, version, data FROM resources WHERE kind = 'tenant' AND name LIKE ?")) {
                    ps.setString(1, prefix + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            versions.put("tenant/" + rs.getString(1), new long[] {rs.getLong(2)});
                            documents.put("tenant/" + rs.getString(1), Envelopes.MAPPER.readTree(rs.getString(3)));
                        }
                    }
                }
                return null;
            });
        }
        for (var entry : log.byResource().entrySet()) {
            if (!entry.getKey().startsWith("tenant/" + prefix)) {
                continue;
            }
            EventEnvelope last = entry.getValue().stream().max(Comparator.comparingLong(EventEnvelope::sequence)).orElseThrow();
            long[] version = versions.get(entry.getKey());
            if (version == null || version[0] != last.sequence() || !last.data().equals(documents.get(entry.getKey()))) {
                anomaly("read model differs from a fold of the log", file.getFileName() + " " + entry.getKey() + ": has "
                        + (version == null ? "nothing" : "v" + version[0]) + ", the log ends at v" + last.sequence());
            }
        }
        for (String row : versions.keySet()) {
            if (!log.byResource().containsKey(row)) {
                anomaly("read model holds a resource the log does not", file.getFileName() + " " + row);
            }
        }
    }

    /** One audit record per event of the log: none missing, none twice, none the log does not have. */
    private void checkAudit(Log log, Path file) throws Exception {
        Map<String, Integer> recorded = new HashMap<>();
        try (SqlStore store = SqlStore.open(Database.at("jdbc:sqlite:" + file), "audit", 1)) {
            store.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT event_id, count(*) FROM audit_records WHERE resource_kind <> 'auth' GROUP BY event_id");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        recorded.put(rs.getString(1), rs.getInt(2));
                    }
                }
                return null;
            });
        }
        counts.put("events in the log", (long) log.eventIds().size());
        for (String event : log.eventIds()) {
            int times = recorded.getOrDefault(event, 0);
            if (times != 1) {
                anomaly("event without exactly one audit record", event + ": " + times);
            }
        }
        for (String event : recorded.keySet()) {
            if (!log.eventIds().contains(event)) {
                anomaly("audit record of no event in the log", event);
            }
        }
    }

    /** No delivery had two attempts in flight at once: by the attempt log, each attempt ended before the next began. */
    private void checkAttempts(Path webhooks) throws Exception {
        Map<Long, List<long[]>> byDelivery = new HashMap<>();
        Map<String, Long> byDispatcher = new TreeMap<>();
        try (SqlStore store = SqlStore.open(Database.at("jdbc:sqlite:" + webhooks), "webhooks", 1)) {
            store.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT delivery_id, at_ms, latency_ms, dispatcher FROM attempts ORDER BY delivery_id, at_ms");
                     ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byDelivery.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new long[] {rs.getLong(2), rs.getLong(3)});
                        byDispatcher.merge("attempts by " + rs.getString(4), 1L, Long::sum);
                    }
                }
                return null;
            });
        }
        counts.putAll(byDispatcher);
        byDelivery.forEach((delivery, attempts) -> {
            for (int i = 1; i < attempts.size(); i++) {
                long previousEnd = attempts.get(i - 1)[0] + attempts.get(i - 1)[1];
                if (attempts.get(i)[0] < previousEnd) {
                    anomaly("delivery attempted twice at once", "delivery " + delivery + " attempt at " + attempts.get(i)[0]
                            + " began before the previous ended at " + previousEnd);
                }
            }
        });
    }

    /**
     * Every event of the run that occurred after the subscription was created (its event's time in the log, named
     * like the run) was delivered at least once, and no delivery had two attempts in flight at once.
     */
    private void checkDeliveries(Log log, String prefix, DeliveryLog deliveries, String path, Instant subscribedAt) {
        Instant from = log.byResource().getOrDefault("webhook/" + prefix, List.of()).stream()
                .filter(e -> e.sequence() == 1).map(EventEnvelope::occurredAt).findFirst().orElse(subscribedAt);
        Set<String> delivered = deliveries.delivered(path);
        long expected = 0;
        for (var entry : log.byResource().entrySet()) {
            if (!entry.getKey().startsWith("tenant/" + prefix)) {
                continue;
            }
            for (EventEnvelope event : entry.getValue()) {
                if (event.occurredAt().isAfter(from)) {
                    expected++;
                    if (!delivered.contains(event.id().toString())) {
                        anomaly("event not delivered to its subscription", entry.getKey() + " v" + event.sequence() + " " + event.id());
                    }
                }
            }
        }
        counts.put("deliveries expected", expected);
        counts.put("deliveries received", (long) delivered.size());
        for (String overlap : deliveries.overlaps()) {
            anomaly("delivery attempted twice at once", overlap);
        }
    }
}
