package dev.controlplane.commandservice.decision;

import dev.controlplane.commandservice.decision.Decision.Accepted;
import dev.controlplane.commandservice.decision.Decision.Rejected;
import dev.controlplane.commandservice.decision.ResourceCommand.ChangeItem;
import dev.controlplane.commandservice.decision.ResourceCommand.CreateResource;
import dev.controlplane.commandservice.decision.ResourceCommand.PatchResource;
import dev.controlplane.commandservice.decision.ResourceCommand.UpdateResource;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceCreated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceDeactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceReactivated;
import dev.controlplane.commandservice.decision.ResourceEvent.ResourceUpdated;
import dev.controlplane.schemas.Changes;
import dev.controlplane.schemas.EventVerb;
import dev.controlplane.schemas.EventVersions;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.Problem.FieldError;
import dev.controlplane.schemas.ResourceRef;
import dev.controlplane.schemas.kinds.ResourceKind;
import dev.controlplane.schemas.kinds.ResourceKind.Reference;
import dev.controlplane.schemas.kinds.ResourceKinds;
import dev.controlplane.schemas.kinds.SecretHandling;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lifecycle every resource kind shares: create once, change on the expected version (set fields, or a JSON
 * merge patch), soft delete, with the kind's rules: references to other resources must name active ones, and a
 * resource that others depend on is not deactivated unless the command says {@code force}.
 */
public final class ResourceDecider {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ResourceDecider() {
    }

    /** @param actor who sent the command: the {@code created_by} of what it creates */
    public static Decision decide(ResourceKind kind, ResourceCommand command, ResourceState state, References references,
                                  Instant now, String actor) {
        if (!(command instanceof CreateResource) && !state.exists() && kind.isSingleton()) {
            state = firstVersionOf(kind, state, command, now, actor);
            if (state == null) {
                return new Rejected(new Rejection.NotFound(command.resource()));
            }
        }
        return switch (command) {
            case CreateResource create -> create(kind, create, state, references, now);
            case UpdateResource update -> change(kind, state, references, update.expected(), update.force(), update.fields(), now,
                    data -> set(data, update.fields()));
            case PatchResource patch -> change(kind, state, references, patch.expected(), patch.force(), patch.patch(), now,
                    data -> mergePatch(data, patch.patch()));
            case ChangeItem item -> changeItem(kind, state, references, item, now);
        };
    }

    private static Decision changeItem(ResourceKind kind, ResourceState state, References references, ChangeItem command,
                                       Instant now) {
        if (kind.itemList() == null) {
            return new Rejected(new Rejection.NotMutable(state.resource()));
        }
        if (!state.exists()) {
            return new Rejected(new Rejection.NotFound(state.resource()));
        }
        ResourceRef item = new ResourceRef(kind.name() + ".item", command.item());
        JsonNode list = state.data().path(kind.itemList());
        int index = -1;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path("name").asString().equals(command.item())) {
                index = i;
            }
        }
        if (command.change() == ResourceCommand.ItemChange.ADD && index >= 0) {
            return new Rejected(new Rejection.AlreadyExists(item, "active"));
        }
        if (!state.unborn() && !command.expected().matches(state.sequence())) {
            return new Rejected(new Rejection.VersionMismatch(state.resource(), command.expected(), state.sequence()));
        }
        if (command.change() != ResourceCommand.ItemChange.ADD && index < 0) {
            return new Rejected(new Rejection.NotFound(item));
        }
        int at = index;
        return change(kind, state, references, command.expected(), false, JSON.objectNode(), now, data -> {
            ArrayNode items = data.has(kind.itemList()) && data.get(kind.itemList()).isArray()
                    ? (ArrayNode) data.get(kind.itemList()) : data.putArray(kind.itemList());
            switch (command.change()) {
                case ADD -> items.add(command.value());
                case PATCH -> items.set(at, mergePatch((ObjectNode) items.get(at), command.value()));
                case REMOVE -> items.remove(at);
            }
            return data;
        });
    }

    /**
     * A single-document kind exists from its first write: with If-Match "0" or "*" the change applies to an empty
     * document at version 0 and its event is a creation. Null when the caller expected some other version.
     */
    private static ResourceState firstVersionOf(ResourceKind kind, ResourceState state, ResourceCommand command, Instant now,
                                                String actor) {
        ExpectedVersion expected = switch (command) {
            case UpdateResource update -> update.expected();
            case PatchResource patch -> patch.expected();
            case ChangeItem item -> item.expected();
            case CreateResource create -> null;
        };
        if (expected == null || !expected.matches(0)) {
            return null;
        }
        ObjectNode empty = JSON.objectNode();
        empty.put("name", kind.singleton());
        empty.put("status", "active");
        empty.put("created_at", now.toString());
        empty.put("created_by", actor);
        return new ResourceState(state.resource(), 0, empty, true);
    }

    public static ResourceState evolve(ResourceState state, ResourceEvent event) {
        return new ResourceState(state.resource(), state.sequence() + 1, event.data());
    }

    private static Decision create(ResourceKind kind, CreateResource create, ResourceState state, References references,
                                   Instant now) {
        if (state.exists()) {
            return new Rejected(new Rejection.AlreadyExists(state.resource(), state.status()));
        }
        ObjectNode data = JSON.objectNode();
        data.put("name", create.resource().name());
        if (!kind.nameField().equals("name")) {
            data.put(kind.nameField(), create.resource().name());
        }
        data.put("display_name", create.resource().name());
        create.fields().properties().stream()
                .filter(field -> !field.getValue().isNull())
                .forEach(field -> data.set(field.getKey(), field.getValue()));
        data.put("status", "active");
        data.put("created_at", now.toString());
        data.put("created_by", create.actor());
        Optional<Rejection> broken = brokenReference(kind, JSON.objectNode(), data, references);
        if (broken.isPresent()) {
            return new Rejected(broken.get());
        }
        return new Accepted(List.of(new ResourceCreated(data, diff(kind, JSON.objectNode(), data))));
    }

    private static Decision change(ResourceKind kind, ResourceState state, References references,
                                   ExpectedVersion expected, boolean force, ObjectNode body,
                                   Instant now, UnaryOperator<ObjectNode> apply) {
        if (!state.exists()) {
            return new Rejected(new Rejection.NotFound(state.resource()));
        }
        if (state.unborn()) {
            return firstChange(kind, state, references, now, apply);
        }
        if (!expected.matches(state.sequence())) {
            return new Rejected(new Rejection.VersionMismatch(state.resource(), expected, state.sequence()));
        }
        if (!kind.mutable()) {
            return new Rejected(new Rejection.NotMutable(state.resource()));
        }
        for (String field : kind.immutableFields()) {
            JsonNode given = body.get(field);
            boolean same = field.equals("version")
                    ? given == null || given.isIntegralNumber() && given.asLong() == state.sequence()
                    : given == null || given.equals(state.data().get(field));
            if (!same) {
                return new Rejected(new Rejection.ImmutableField(field));
            }
        }
        ObjectNode data = rotateSecret(kind, state.data(), reconcileItems(kind, state.data(), apply.apply(state.data().deepCopy()), now), now);
        kind.immutableFields().forEach(field -> restore(field, state.data(), data));
        restore("name", state.data(), data);
        restore(kind.nameField(), state.data(), data);
        restore(ResourceKind.SECRET_HASH, state.data(), data);
        List<FieldError> errors = checkDocument(kind, data);
        if (!errors.isEmpty()) {
            return new Rejected(new Rejection.InvalidDocument(errors));
        }
        ObjectNode changes = diff(kind, state.data(), data);
        if (changes.isEmpty()) {
            return new Accepted(List.of());
        }
        Optional<Rejection> broken = brokenReference(kind, state.data(), data, references);
        if (broken.isPresent()) {
            return new Rejected(broken.get());
        }
        String before = state.status();
        String after = data.path("status").asString();
        ResourceEvent event;
        if (!before.equals(after) && after.equals("inactive")) {
            List<ResourceRef> dependants = force ? List.of() : dependants(kind, state.resource(), references);
            if (!dependants.isEmpty()) {
                return new Rejected(new Rejection.InUse(state.resource(), dependants));
            }
            event = new ResourceDeactivated(data, changes(kind, EventVerb.DEACTIVATED, state.data(), data, changes));
        } else if (!before.equals(after) && after.equals("active")) {
            event = new ResourceReactivated(data, changes(kind, EventVerb.REACTIVATED, state.data(), data, changes));
        } else {
            event = new ResourceUpdated(data, changes(kind, EventVerb.UPDATED, state.data(), data, changes));
        }
        return new Accepted(List.of(event));
    }

    private static Decision firstChange(ResourceKind kind, ResourceState state, References references, Instant now,
                                       UnaryOperator<ObjectNode> apply) {
        ObjectNode data = reconcileItems(kind, state.data(), apply.apply(state.data().deepCopy()), now);
        for (String field : List.of("name", "status", "created_at", "created_by")) {
            restore(field, state.data(), data);
        }
        List<FieldError> errors = checkDocument(kind, data);
        if (!errors.isEmpty()) {
            return new Rejected(new Rejection.InvalidDocument(errors));
        }
        Optional<Rejection> broken = brokenReference(kind, JSON.objectNode(), data, references);
        if (broken.isPresent()) {
            return new Rejected(broken.get());
        }
        return new Accepted(List.of(new ResourceCreated(data, diff(kind, JSON.objectNode(), data))));
    }

    /**
     * Items of an item list keep what only the server sets: an item sent with a {@code proposed} secret (the gateway
     * generated one because the client gave none) keeps the secret it already had, if an item of that name exists;
     * a new item is stamped with its creation time (the document's, as it is decided now).
     */
    private static ObjectNode reconcileItems(ResourceKind kind, ObjectNode before, ObjectNode after, Instant decidedAt) {
        if (kind.itemList() == null || !after.path(kind.itemList()).isArray()) {
            return after;
        }
        Map<String, JsonNode> earlier = new HashMap<>();
        before.path(kind.itemList()).forEach(item -> earlier.put(item.path("name").asString(), item));
        String now = decidedAt.toString();
        for (JsonNode node : after.get(kind.itemList())) {
            ObjectNode item = (ObjectNode) node;
            JsonNode old = earlier.get(item.path("name").asString());
            boolean proposed = item.path("proposed").asBoolean(false);
            item.remove("proposed");
            if (old != null && proposed) {
                item.set("key_hash", old.get("key_hash"));
                item.set("masked", old.get("masked"));
            }
            if (old != null && old.has("created_at")) {
                item.set("created_at", old.get("created_at"));
            } else if (!item.has("created_at")) {
                item.put("created_at", now);
            }
        }
        return after;
    }

    /**
     * A new sealed secret (a rotation) moves the current one to {@code previous_secret_sealed}, valid until now plus
     * the overlap the command gives; the overlap itself is not kept. Anything else keeps the secrets as they are.
     */
    private static ObjectNode rotateSecret(ResourceKind kind, ObjectNode before, ObjectNode after, Instant now) {
        if (!(kind.secret() instanceof SecretHandling.Sealed)) {
            return after;
        }
        long overlap = after.path(ResourceKind.ROTATION_OVERLAP_SECONDS).asLong(0);
        after.remove(ResourceKind.ROTATION_OVERLAP_SECONDS);
        JsonNode current = before.get(ResourceKind.SEALED_SECRET);
        JsonNode next = after.get(ResourceKind.SEALED_SECRET);
        if (current != null && next != null && !current.equals(next)) {
            after.set(ResourceKind.PREVIOUS_SEALED_SECRET, current);
            after.put(ResourceKind.PREVIOUS_SECRET_EXPIRES_AT, now.plusSeconds(overlap).toString());
        }
        return after;
    }

    /** The kind's schema, and for item lists, that no two items share a name. */
    private static List<FieldError> checkDocument(ResourceKind kind, ObjectNode data) {
        List<FieldError> errors = new ArrayList<>(kind.checkDocument(data));
        if (kind.itemList() != null) {
            Set<String> names = new HashSet<>();
            JsonNode items = data.path(kind.itemList());
            for (int i = 0; i < items.size(); i++) {
                if (!names.add(items.get(i).path("name").asString())) {
                    errors.add(new FieldError("/" + kind.itemList() + "/" + i + "/name", "repeats the name of an earlier item"));
                }
            }
        }
        return errors;
    }

    /** A field the server manages keeps its value whatever the body or patch said. */
    private static void restore(String field, ObjectNode before, ObjectNode after) {
        JsonNode value = before.get(field);
        if (value == null) {
            after.remove(field);
        } else {
            after.set(field, value);
        }
    }

    /** PUT as GEM has it: fields present are set, a {@code null} clears an optional field, absent ones stay. */
    private static ObjectNode set(ObjectNode data, ObjectNode fields) {
        fields.properties().forEach(field -> {
            if (field.getValue().isNull()) {
                data.remove(field.getKey());
            } else {
                data.set(field.getKey(), field.getValue());
            }
        });
        return data;
    }

    /** RFC 7396: objects merge recursively, {@code null} removes, anything else replaces. */
    static ObjectNode mergePatch(ObjectNode target, ObjectNode patch) {
        patch.properties().forEach(field -> {
            JsonNode value = field.getValue();
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject()) {
                JsonNode existing = target.get(field.getKey());
                ObjectNode base = existing != null && existing.isObject() ? (ObjectNode) existing : JSON.objectNode();
                target.set(field.getKey(), mergePatch(base, (ObjectNode) value));
            } else {
                target.set(field.getKey(), value);
            }
        });
        return target;
    }

    /** The first reference newly set by this change that names a missing or inactive resource. */
    private static Optional<Rejection> brokenReference(ResourceKind kind, ObjectNode before, ObjectNode after,
                                                       References references) {
        if (!"active".equals(after.path("status").asString())) {
            return Optional.empty();
        }
        for (Reference reference : kind.references()) {
            Set<String> earlier = before.path("status").asString("").equals("active") ? reference.targets(before) : Set.of();
            for (String name : reference.targets(after)) {
                if (earlier.contains(name)) {
                    continue;
                }
                ResourceRef target = new ResourceRef(reference.targetKind(), name);
                Optional<String> status = references.status(target);
                if (status.isEmpty() || !status.get().equals("active")) {
                    return Optional.of(new Rejection.BrokenReference("/" + reference.path(), target, status.isPresent()));
                }
            }
        }
        return Optional.empty();
    }

    /** Active resources whose blocking references name this one. */
    private static List<ResourceRef> dependants(ResourceKind kind, ResourceRef resource, References references) {
        List<ResourceRef> found = new ArrayList<>();
        for (ResourceKind other : ResourceKinds.ALL) {
            for (Reference reference : other.references()) {
                if (reference.blocksDeactivation() && reference.targetKind().equals(kind.name())) {
                    found.addAll(references.referrers(resource, other.name(), reference.path()));
                }
            }
        }
        return found;
    }

    /**
     * {@code {"field": {"from": old, "to": new}}} for every field whose value differs, removed fields included; the
     * kind's secret fields are redacted at any depth: even a hash or a sealed secret is no business of audit
     * readers and webhook subscribers.
     */
    static ObjectNode diff(ResourceKind kind, ObjectNode before, ObjectNode after) {
        return kind.secret().redacted(Changes.byField(before, after));
    }

    /** The changes in the form the event's type is written at now (by field, or by pointer: {@link EventVersions}). */
    private static ObjectNode changes(ResourceKind kind, EventVerb verb, ObjectNode before, ObjectNode after, ObjectNode byField) {
        return EventVersions.changesByPointer(verb.eventType(kind.name()))
                ? kind.secret().redacted(Changes.byPointer(before, after)) : byField;
    }
}
