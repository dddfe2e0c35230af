package dev.controlplane.webhooks;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.CursorCodec;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.httpsupport.QueryParameters;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The attempt log: a subscription's deliveries, newest first, each with its attempts (status code, latency,
 * attempt number, the first KiB of the answer); redelivering one; recovering every failed one since a time.
 */
@RestController
class DeliveryController {

    private static final Set<String> STATUSES = Set.of("pending", "succeeded", "failed");

    private final AttemptLog store;
    private final DeliveryQueue queue;
    private final SubscriptionProjection subscriptions;
    private final DeliverySender sender;
    private final CursorCodec cursors;

    DeliveryController(AttemptLog store, DeliveryQueue queue, SubscriptionProjection subscriptions, DeliverySender sender,
                       CursorCodec cursors) {
        this.store = store;
        this.queue = queue;
        this.subscriptions = subscriptions;
        this.sender = sender;
        this.cursors = cursors;
    }

    @GetMapping("/api/v1/webhooks/{name}/deliveries")
    ResponseEntity<byte[]> deliveries(@PathVariable String name,
                                      @RequestParam(required = false) String status,
                                      @RequestParam(required = false) String since,
                                      @RequestParam(required = false) String until,
                                      @RequestParam(required = false) String limit,
                                      @RequestParam(required = false) String cursor) throws SQLException {
        requireSubscription(name);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.invalidField("status", "must be one of pending, succeeded, failed");
        }
        Instant from = QueryParameters.instant("since", since);
        Instant to = QueryParameters.instant("until", until);
        int pageSize = QueryParameters.limit(limit);
        String filter = String.join("|", "deliveries", name, String.valueOf(status), String.valueOf(from), String.valueOf(to));
        Long before = cursor == null ? null : cursors.position(cursor, filter, "before_id");
        List<Delivery> rows = store.deliveries(name, status, from, to, before, pageSize);
        boolean more = rows.size() > pageSize;
        List<Delivery> page = more ? rows.subList(0, pageSize) : rows;
        List<Map<String, Object>> items = new ArrayList<>();
        for (Delivery delivery : page) {
            items.add(view(delivery, store.attempts(delivery.id())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("type", "webhook_delivery");
        String next = null;
        if (more) {
            next = cursors.encode("before_id", page.getLast().id(), filter);
        }
        body.put("next_cursor", next);
        return JsonResponses.json(200, new HttpHeaders(), body);
    }

    @PostMapping("/api/v1/webhooks/{name}/deliveries/{id}/redeliver")
    ResponseEntity<byte[]> redeliver(@PathVariable String name, @PathVariable String id) throws SQLException {
        requireSubscription(name);
        long deliveryId;
        try {
            deliveryId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no delivery " + id + " for webhook " + name);
        }
        String status = queue.redeliver(name, deliveryId, Instant.now());
        if (status == null) {
            throw ApiException.notFound("no delivery " + id + " for webhook " + name);
        }
        sender.wake();
        return JsonResponses.json(202, new HttpHeaders(), Map.of("id", deliveryId, "status", status));
    }

    @PostMapping("/api/v1/webhooks/{name}/recover")
    ResponseEntity<byte[]> recover(@PathVariable String name, @RequestParam(required = false) String since) throws SQLException {
        requireSubscription(name);
        Instant from = QueryParameters.instant("since", since);
        if (from == null) {
            throw ApiException.invalidField("since", "is required: the time from which failed deliveries are sent again");
        }
        int recovered = queue.recover(name, from, Instant.now());
        sender.wake();
        return JsonResponses.json(202, new HttpHeaders(), Map.of("recovered", recovered));
    }

    private void requireSubscription(String name) throws SQLException {
        if (subscriptions.subscription(name).isEmpty()) {
            throw ApiException.notFound("no webhook " + name + " (or the dispatcher has not seen it yet)");
        }
    }

    private static Map<String, Object> view(Delivery delivery, List<Attempt> attempts) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", delivery.id());
        view.put("event_id", delivery.eventId());
        view.put("event_type", delivery.eventType());
        view.put("status", delivery.status());
        view.put("attempt_count", delivery.attempts());
        view.put("created_at", Instant.ofEpochMilli(delivery.createdAtMs()));
        view.put("next_attempt_at", delivery.nextAttemptAtMs() == null ? null : Instant.ofEpochMilli(delivery.nextAttemptAtMs()));
        List<Map<String, Object>> log = new ArrayList<>();
        for (Attempt attempt : attempts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("attempt", attempt.attempt());
            entry.put("at", Instant.ofEpochMilli(attempt.atMs()));
            entry.put("status_code", attempt.statusCode());
            entry.put("latency_ms", attempt.latencyMs());
            entry.put("response_body", attempt.responseBody());
            entry.put("error", attempt.error());
            log.add(entry);
        }
        view.put("attempts", log);
        return view;
    }
}
