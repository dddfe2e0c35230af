-- Several dispatchers share one store: a delivery being sent is leased by one of them, and each attempt says who made it.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until_ms BIGINT;
ALTER TABLE attempts ADD COLUMN dispatcher TEXT;
CREATE INDEX deliveries_leased ON deliveries (status, lease_until_ms);
-- When a dispatcher marked a subscription as being disabled: a mark older than a lease may be taken again.
ALTER TABLE subscriptions ADD COLUMN disabling_at_ms BIGINT;
