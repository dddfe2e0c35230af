-- Only the deliveries still to be sent are looked up by due time or by lease, so only they are indexed: a claim or
-- an outcome moves a row's entry between two small indexes, instead of rewriting it in two that hold every delivery
-- ever made (each status change cost four index writes; now at most two, and a finished delivery leaves both).
-- CONCURRENTLY, so that the dispatchers sharing the store go on claiming and recording while a large table is
-- indexed: Flyway runs these statements outside a transaction, one by one. Each new index is dropped first, so that a
-- run cut short (which can leave an invalid index behind) is run again from the start once repaired.
DROP INDEX CONCURRENTLY IF EXISTS deliveries_pending;
CREATE INDEX CONCURRENTLY deliveries_pending ON deliveries (next_attempt_at_ms, id) WHERE status = 'pending';
DROP INDEX CONCURRENTLY IF EXISTS deliveries_sending;
CREATE INDEX CONCURRENTLY deliveries_sending ON deliveries (lease_until_ms) WHERE status = 'sending';
DROP INDEX CONCURRENTLY IF EXISTS deliveries_due_order;
DROP INDEX CONCURRENTLY IF EXISTS deliveries_leased;
