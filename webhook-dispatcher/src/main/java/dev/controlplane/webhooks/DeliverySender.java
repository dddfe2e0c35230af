package dev.controlplane.webhooks;

import dev.controlplane.webhooksupport.SecretBox;
import dev.controlplane.webhooksupport.TargetGuard;
import dev.controlplane.webhooksupport.WebhookSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Sends due deliveries: a few at a time, each signed with the subscription's secret (and, during a rotation, the
 * previous one), over a client whose DNS resolver is the SSRF guard (so the address dialled is the address checked)
 * and that follows no redirect. 2xx succeeds; 410 fails the delivery and disables the subscription; anything else
 * is retried on the schedule, honouring {@code Retry-After}. Due deliveries live in the store, so a restart picks
 * up every pending retry where it was.
 */
final class DeliverySender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliverySender.class);
    static final int RESPONSE_BODY_LIMIT = 1024;

    private final DeliveryQueue store;
    private final SubscriptionProjection subscriptionStore;
    private final WebhookSettings settings;
    private final SubscriptionCommands commands;
    private final RetryPolicy policy;
    private final TargetGuard guard;
    private final Object signal = new Object();
    private boolean signalled;
    private SecretBox box;
    /** The current start's sending, or null when stopped. */
    private volatile Run current;
    /** The last start's, once stopped: its workers may outlive the stop. */
    private Run previous;
    private final Map<String, Signatures.Key> signingKeys = new ConcurrentHashMap<>();
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicLong subscriptionsGeneration = new AtomicLong();
    private Map<String, io.micrometer.core.instrument.Counter> attemptCounters = Map.of();

    /**
     * One start's sending: its loop, workers, claims and outcomes. A loop or an attempt that outlives its stop (stuck
     * in a database call, say) touches only its own, never the next start's.
     */
    private final class Run {
        final CloseableHttpClient client;
        final Outcomes outcomes = new Outcomes(DeliverySender.this::wake);
        // Platform threads, as many as attempts may be in flight: each blocks on its socket, and a virtual thread's
        // park and unpark through the poller on every read cost more CPU than the thread it saves.
        final ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), Thread.ofPlatform().name("webhook-worker-", 0).daemon().factory());
        /** The requests under way, with when each is cut off ({@link #cutOffs}). */
        final Map<HttpPost, Long> underWay = new ConcurrentHashMap<>();
        /** Deliveries claimed and not yet finished with, started or not. */
        final AtomicInteger claimed = new AtomicInteger();
        /** How long an attempt has taken lately (workers update it without a lock: a hint, not a count). */
        volatile double attemptMillis;
        volatile boolean running = true;
        Thread loop;

        Run(CloseableHttpClient client) {
            this.client = client;
        }
    }

    /**
     * Cuts off the attempts still under way at their cut-off, looking every quarter of an attempt timeout (at most a
     * second): a map entry per attempt costs the workers less than a timer task each, and the cut-off is late by at
     * most that, well within the half timeout it leaves before the lease ends. Ends with the run's workers.
     */
    private void cutOffs(Run run) {
        long every = Math.clamp(settings.attemptTimeout().toMillis() / 4, 10, 1000);
        while (!run.workers.isTerminated()) {
            long now = System.nanoTime();
            run.underWay.forEach((post, cutOff) -> {
                if (now - cutOff >= 0) {
                    post.cancel();
                }
            });
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    DeliverySender(DeliveryQueue store, SubscriptionProjection subscriptionStore, WebhookSettings settings, SubscriptionCommands commands) {
        this.store = store;
        this.subscriptionStore = subscriptionStore;
        this.settings = settings;
        this.commands = commands;
        this.policy = new RetryPolicy(settings.retrySchedule(), settings.jitter(), () -> ThreadLocalRandom.current().nextDouble());
        this.guard = settings.guard();
    }

    /** Counts attempts as {@code admin_webhooks_attempts_total} by {@code outcome}: succeeded, failed or refused (by the target guard). */
    DeliverySender withMetrics(io.micrometer.core.instrument.MeterRegistry meters) {
        // Registered at once, so that a dashboard shows zeros rather than nothing before the first attempt of each.
        attemptCounters = java.util.stream.Stream.of("succeeded", "failed", "refused").collect(java.util.stream.Collectors.toMap(
                outcome -> outcome, outcome -> meters.counter("admin.webhooks.attempts", "outcome", outcome)));
        return this;
    }

    /** Something may be due now: new deliveries were projected, or a redelivery was asked for. */
    void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    @Override
    public synchronized void start() {
        if (current != null) {
            return;
        }
        box = settings.secretBox();
        // What this dispatcher was sending when it stopped is due again, unless the last start's workers are still
        // at it (a stop that timed out waiting for them): then it is left to their leases, not sent twice at once.
        if (previous == null || previous.workers.isTerminated()) {
            try {
                store.resumeInterrupted();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("the webhook store could not be read", e);
            }
        }
        Timeout timeout = Timeout.of(settings.attemptTimeout());
        DnsResolver guarded = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return guard.resolve(host);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(guarded)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .setMaxConnTotal(settings.workers() * 2)
                        .setMaxConnPerRoute(settings.workers())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent("admin-control-plane-webhooks/1")
                .build();
        Run run = new Run(client);
        run.loop = Thread.ofPlatform().name("webhook-sender").unstarted(() -> run(run));
        current = run;
        run.loop.start();
        Thread.ofPlatform().name("webhook-cut-offs").daemon().start(() -> cutOffs(run));
    }

    /**
     * The one writer of this dispatcher's deliveries: each round records the attempts finished since the last and
     * claims as many due deliveries as there is room for, in one transaction, so the commit is shared by everything
     * that happened meanwhile and a busy dispatcher commits less often, not more. After a stop it starts no claim
     * (what a round under way claims is given back), and ends once the attempts under way are recorded.
     */
    private void run(Run run) {
        List<Outcomes.Pending> unwritten = new ArrayList<>();
        try {
            while (run.running || run.claimed.get() > 0 || !run.outcomes.isEmpty() || !unwritten.isEmpty()) {
                try {
                    unwritten.addAll(run.outcomes.drain());
                    int room = run.running ? claimLimit(settings.workers(), run.attemptMillis) - run.claimed.get() : 0;
                    // Before the transaction, so the local deadline never runs past the lease it took.
                    long claimedAt = System.nanoTime();
                    List<Delivery> due = unwritten.isEmpty() && room <= 0 ? List.of()
                            : store.settleAndClaim(Outcomes.outcomes(unwritten), Instant.now(), room);
                    unwritten.forEach(pending -> pending.written().complete(null));
                    unwritten.clear();
                    due.forEach(delivery -> submit(run, delivery, claimedAt));
                    // With no room, or a claim that filled it (more may be due), the next finished attempt wakes this loop.
                    long wait = room <= 0 || due.size() == room ? 1000L
                            : store.nextDueAtMs().map(at -> at - System.currentTimeMillis()).orElse(1000L);
                    synchronized (signal) {
                        if (!signalled && wait > 0) {
                            signal.wait(Math.min(1000, wait));
                        }
                        signalled = false;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    // The attempts happened; their record must not be lost, so they are written again next round.
                    log.warn("webhook sender round failed ({} attempts not yet recorded), retrying: {}", unwritten.size(), e.toString());
                    synchronized (signal) {
                        try {
                            signal.wait(500);
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            log.error("webhook sender loop ended", e);
            throw e;
        } finally {
            // Whoever still waits for an outcome is told it will not be written: its delivery is attempted again.
            unwritten.addAll(run.outcomes.drain());
            run.outcomes.fail(unwritten);
        }
    }

    /**
     * How many deliveries may be claimed and not yet finished: ahead of the free workers, so that one transaction
     * serves many attempts and the workers do not wait for the next round's commit (from twice the workers to eight
     * times: 9,000 to 12,000 deliveries/s here, `./dev bench webhooks`), but no more than the workers get through in
     * about a second, so that against a slow receiver a claim does not wait so long for a worker that its lease must
     * be given back. The workers themselves bound how many requests are in flight.
     */
    static int claimLimit(int workers, double attemptMillis) {
        long inASecond = attemptMillis <= 0 ? 0 : Math.round(workers * 1000 / attemptMillis);
        return (int) Math.max(workers * 2L, Math.min(workers * 8L, inASecond));
    }

    private void submit(Run run, Delivery delivery, long claimedAt) {
        // Not every wait of an attempt is bounded by the attempt timeout (an answer that trickles in, byte after byte):
        // whatever is under way by then is cut off, so that no other dispatcher, taking the delivery over once the
        // lease ends, sends it while this one still is. Half an attempt timeout is left for clocks that differ.
        long cutOff = claimedAt + settings.lease().minus(settings.attemptTimeout().dividedBy(2)).toNanos();
        // Started by then, an attempt that connects, then reads, each within the attempt timeout, is not cut off.
        long deadline = cutOff - settings.attemptTimeout().multipliedBy(2).toNanos();
        run.claimed.incrementAndGet();
        try {
            run.workers.execute(new Attempting(run, delivery, deadline, cutOff));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // Claimed by a round that was under way when the workers were shut down.
            giveBack(run, List.of(delivery));
        }
    }

    /** One claimed delivery waiting for a worker: what {@link #stop} takes back from the queue unstarted. */
    private final class Attempting implements Runnable {
        final Run run;
        final Delivery delivery;
        final long deadline;
        final long cutOff;

        Attempting(Run run, Delivery delivery, long deadline, long cutOff) {
            this.run = run;
            this.delivery = delivery;
            this.deadline = deadline;
            this.cutOff = cutOff;
        }

        @Override
        public void run() {
            try {
                if (run.running && System.nanoTime() - deadline < 0) {
                    attempt(run, delivery, cutOff);
                } else {
                    // Stopped before it started, or waited for a worker so long that the lease could end mid-attempt:
                    // given back now, to be claimed again under a fresh lease.
                    store.release(List.of(delivery));
                }
            } catch (Exception e) {
                log.warn("delivery {} could not be attempted or given back: {}", delivery.id(), e.toString());
            } finally {
                run.claimed.decrementAndGet();
                wake();
            }
        }
    }

    /** Claimed deliveries no worker started, given back in one transaction: due again now, for any dispatcher. */
    private void giveBack(Run run, List<Delivery> unstarted) {
        try {
            store.release(unstarted);
        } catch (java.sql.SQLException e) {
            log.warn("{} claimed deliveries could not be given back, they wait for their lease: {}", unstarted.size(), e.toString());
        } finally {
            run.claimed.addAndGet(-unstarted.size());
            wake();
        }
    }

    /** The outcome of one HTTP attempt. */
    private record Answer(Integer status, String body, String retryAfter, String error) {
    }

    private void attempt(Run run, Delivery delivery, long cutOff) throws Exception {
        Optional<Subscription> found = subscription(delivery.subscription());
        if (found.isEmpty() || !found.get().active()) {
            store.abandon(delivery);
            return;
        }
        Subscription subscription = found.get();
        Instant now = Instant.now();
        Signatures.Key current = signingKey(subscription.secretSealed());
        List<Signatures.Key> keys = subscription.previousSecretSealed() != null && subscription.previousSecretExpiresAtMs() != null
                && subscription.previousSecretExpiresAtMs() > now.toEpochMilli()
                ? List.of(current, signingKey(subscription.previousSecretSealed())) : List.of(current);
        long timestamp = now.getEpochSecond();
        int number = delivery.attempts() + 1;
        // The bytes signed are the bytes sent.
        byte[] body = delivery.payload();
        String refused = guard.problem(subscription.url());
        long started = System.nanoTime();
        if (refused == null && cutOff - started < settings.attemptTimeout().multipliedBy(2).toNanos()) {
            // Looking the target up took so long that the attempt could be cut off mid-way: given back unattempted.
            store.release(List.of(delivery));
            return;
        }
        Answer answer = refused != null ? new Answer(null, null, null, "target refused: " + refused)
                : send(run, subscription.url(), delivery, timestamp, body, Signatures.header(keys, delivery.eventId(), timestamp, body), cutOff);
        long elapsed = System.nanoTime() - started;
        long latency = TimeUnit.NANOSECONDS.toMillis(elapsed);
        // Up at once, down slowly: a receiver that turns slow shrinks the claim ahead with its first slow answer.
        double millis = elapsed / 1e6;
        run.attemptMillis = Math.max(millis, run.attemptMillis * 0.9 + millis * 0.1);
        Attempt attempt = new Attempt(number, now.toEpochMilli(), answer.status(), latency, answer.body(), answer.error());
        boolean succeeded = answer.status() != null && answer.status() >= 200 && answer.status() < 300;
        String outcome = succeeded ? "succeeded" : answer.error() != null && answer.error().startsWith("target refused") ? "refused" : "failed";
        if (attemptCounters.containsKey(outcome)) {
            attemptCounters.get(outcome).increment();
        }
        if (succeeded) {
            run.outcomes.record(new DeliveryQueue.Outcome(delivery, attempt, "succeeded", null, true), false);
            return;
        }
        if (answer.status() != null && answer.status() == 410) {
            run.outcomes.record(new DeliveryQueue.Outcome(delivery, attempt, "failed", null, false), true);
            disable(subscription, "the receiver answered 410 Gone");
            return;
        }
        Optional<Instant> next = policy.next(number + 1, Instant.now(), RetryPolicy.retryAfter(answer.retryAfter(), Instant.now()));
        run.outcomes.record(new DeliveryQueue.Outcome(delivery, attempt, next.isPresent() ? "pending" : "failed",
                next.map(Instant::toEpochMilli).orElse(null), false), true);
        Long failingSince = subscriptionStore.subscription(subscription.name()).map(Subscription::failingSinceMs).orElse(null);
        if (failingSince != null && now.toEpochMilli() - failingSince >= settings.disableAfter().toMillis()) {
            disable(subscription, "no successful delivery for " + settings.disableAfter());
        }
    }

    /**
     * Subscriptions change rarely and are read for every attempt: they are kept here until the projector says a
     * webhook event arrived ({@link #subscriptionsChanged}).
     */
    private Optional<Subscription> subscription(String name) throws SQLException {
        Subscription cached = subscriptions.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        long generation = subscriptionsGeneration.get();
        Optional<Subscription> found = subscriptionStore.subscription(name);
        // A read that a change overtook is used once, not kept.
        if (found.isPresent() && generation == subscriptionsGeneration.get()) {
            subscriptions.put(name, found.get());
            if (generation != subscriptionsGeneration.get()) {
                subscriptions.remove(name);
            }
        }
        return found;
    }

    void subscriptionsChanged() {
        subscriptionsGeneration.incrementAndGet();
        subscriptions.clear();
    }

    /** Opening a sealed secret costs an AES-GCM decryption, and keying a MAC a provider lookup; each sealed form is opened and keyed once. */
    private Signatures.Key signingKey(String sealed) {
        return signingKeys.computeIfAbsent(sealed, s -> new Signatures.Key(box.open(s)));
    }

    private Answer send(Run run, String url, Delivery delivery, long timestamp, byte[] body, String signature, long cutOff) {
        HttpPost post = new HttpPost(url);
        post.setHeader("webhook-id", delivery.eventId());
        post.setHeader("webhook-timestamp", String.valueOf(timestamp));
        post.setHeader("webhook-signature", signature);
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        run.underWay.put(post, cutOff);
        // The answer, once its status and the start of its body are in: what the rest of the body does no longer matters.
        Answer[] answered = new Answer[1];
        try {
            return run.client.execute(post, response -> {
                String head = null;
                boolean more = false;
                if (response.getEntity() != null) {
                    byte[] read = response.getEntity().getContent().readNBytes(RESPONSE_BODY_LIMIT);
                    head = new String(read, StandardCharsets.UTF_8);
                    more = read.length == RESPONSE_BODY_LIMIT;
                }
                Header retryAfter = response.getFirstHeader("Retry-After");
                answered[0] = new Answer(response.getCode(), head, retryAfter == null ? null : retryAfter.getValue(), null);
                if (more) {
                    // The rest is not read: the connection is dropped rather than drained for as long as the body lasts.
                    post.cancel();
                }
                return answered[0];
            });
        } catch (IOException | RuntimeException e) {
            if (answered[0] != null) {
                return answered[0];
            }
            if (post.isCancelled()) {
                return new Answer(null, null, null, "cut off before its lease ended (" + e.getClass().getSimpleName() + ")");
            }
            return new Answer(null, null, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            run.underWay.remove(post);
        }
    }

    private void disable(Subscription subscription, String reason) throws Exception {
        if (subscriptionStore.markDisabling(subscription.name(), reason)) {
            log.warn("disabling webhook {}: {}", subscription.name(), reason);
            try {
                commands.disable(subscription, reason);
            } catch (Exception e) {
                // Not sent: forget the mark, so that the next failure tries again.
                subscriptionStore.clearDisabling(subscription.name());
                throw e;
            }
        }
    }

    @Override
    public synchronized void stop() {
        Run run = current;
        if (run == null) {
            return;
        }
        current = null;
        previous = run;
        run.running = false;
        wake();
        // What waits for a worker is given back at once, not each behind the attempts under way.
        List<Runnable> unstarted = new ArrayList<>();
        run.workers.getQueue().drainTo(unstarted);
        run.workers.shutdown();
        giveBack(run, unstarted.stream().map(task -> ((Attempting) task).delivery).toList());
        try {
            // Attempts under way end within their connect and read timeouts unless DNS, an answer that trickles in (cut
            // off before its lease ends, later than this waits) or the database holds them longer; the loop records
            // what ends, then ends itself.
            run.workers.awaitTermination(settings.attemptTimeout().multipliedBy(2).toMillis() + 5_000, TimeUnit.MILLISECONDS);
            run.loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Still waiting: it fails the outcomes of workers still running (their deliveries wait for their leases)
            // and ends.
            run.loop.interrupt();
        }
        try {
            run.client.close();
        } catch (IOException e) {
            log.debug("closing the webhook client: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return current != null;
    }
}
