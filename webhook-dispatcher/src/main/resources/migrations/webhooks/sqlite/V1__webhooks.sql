-- The dispatcher's own state: subscriptions as the log says they are, and every delivery with its attempts.
CREATE TABLE subscriptions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret_sealed TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_secret_expires_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    last_success_at_ms INTEGER,
    failing_since_ms INTEGER,
    disabled_for TEXT
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    subscription TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (subscription, event_id)
);

CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at_ms);

CREATE INDEX deliveries_by_subscription ON deliveries (subscription, id);

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    response_body TEXT,
    error TEXT
);

CREATE INDEX attempts_by_delivery ON attempts (delivery_id, attempt);
