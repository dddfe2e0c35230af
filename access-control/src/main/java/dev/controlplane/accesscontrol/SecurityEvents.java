package dev.controlplane.accesscontrol;

import dev.controlplane.kafkasupport.KafkaClients;
import dev.controlplane.kafkasupport.KafkaSettings;
import dev.controlplane.schemas.Envelopes;
import dev.controlplane.schemas.SecurityEvent;
import dev.controlplane.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Collects failed and denied calls and sends them to the log once per (type, address, identity, window) with a
 * count, so an attacker sending thousands of bad tokens makes one audit record a window, not thousands. Windows
 * are sent when they close, and on stop.
 */
final class SecurityEvents implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SecurityEvents.class);
    private static final int MAX_ENDPOINTS = 10;
    /** Open windows held at once; past it new ones are counted in a shared overflow window of their type. */
    private static final int MAX_OPEN = 10_000;

    private record Key(String type, String address, String actor, Instant windowStart) {
    }

    private static final class Window {
        long count;
        final Map<String, Long> reasons = new LinkedHashMap<>();
        final List<String> endpoints = new ArrayList<>();
    }

    private final KafkaSettings kafka;
    private final Duration window;
    private final Clock clock;
    private final Map<Key, Window> open = new ConcurrentHashMap<>();
    private volatile KafkaProducer<String, byte[]> producer;
    private ScheduledExecutorService flusher;

    SecurityEvents(KafkaSettings kafka, Duration window, Clock clock) {
        this.kafka = kafka;
        this.window = window;
        this.clock = clock;
    }

    void record(String type, String address, String actor, String reason, String endpoint) {
        Instant now = clock.instant();
        long size = window.toMillis();
        Instant start = Instant.ofEpochMilli(now.toEpochMilli() / size * size);
        Key key = new Key(type, address, actor, start);
        if (open.size() >= MAX_OPEN && !open.containsKey(key)) {
            key = new Key(type, "overflow", "anonymous", start);
        }
        open.compute(key, (k, w) -> {
            Window current = w == null ? new Window() : w;
            current.count++;
            current.reasons.merge(reason.length() > 120 ? reason.substring(0, 120) : reason, 1L, Long::sum);
            if (current.endpoints.size() < MAX_ENDPOINTS && !current.endpoints.contains(endpoint)) {
                current.endpoints.add(endpoint);
            }
            return current;
        });
    }

    /** Sends every window that has closed (all of them when {@code everything}). */
    void flush(boolean everything) {
        Instant now = clock.instant();
        for (Key key : List.copyOf(open.keySet())) {
            if (!everything && key.windowStart().plus(window).isAfter(now)) {
                continue;
            }
            Window w = open.remove(key);
            if (w == null) {
                continue;
            }
            SecurityEvent event;
            synchronized (w) {
                event = new SecurityEvent(UUID.randomUUID(), key.type(), SecurityEvent.CURRENT_SCHEMA_VERSION, key.windowStart(),
                        window.toSeconds(), key.actor(), key.address(), w.count, Map.copyOf(w.reasons), List.copyOf(w.endpoints));
            }
            KafkaProducer<String, byte[]> sender = producer;
            if (sender != null) {
                sender.send(new ProducerRecord<>(Topics.SECURITY_EVENTS, key.address(), Envelopes.write(event)), (metadata, error) -> {
                    if (error != null) {
                        log.warn("a security event could not be written ({} x {} from {}): {}", event.count(), event.type(),
                                event.sourceIp(), error.toString());
                    }
                });
            }
        }
    }

    /** Starts before and stops after the web server, so what the last requests recorded is still sent. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1_000;
    }

    @Override
    public synchronized void start() {
        // A broker that is away must not hold a request (or the shutdown) for the default minute.
        producer = KafkaClients.producer(kafka, java.util.Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000));
        flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("security-events").daemon().factory());
        long period = Math.max(100, Math.min(1_000, window.toMillis() / 4));
        flusher.scheduleWithFixedDelay(() -> {
            try {
                flush(false);
            } catch (RuntimeException e) {
                log.warn("could not send security events: {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (flusher != null) {
            flusher.shutdownNow();
            flusher = null;
        }
        if (producer != null) {
            flush(true);
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return producer != null;
    }
}
