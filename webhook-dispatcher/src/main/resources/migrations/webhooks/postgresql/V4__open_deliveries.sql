-- Only the deliveries still to be sent are looked up by due time or by lease, so only they are indexed: a claim or
-- an outcome moves a row's entry between two small indexes, instead of rewriting it in two that hold every delivery
-- ever made (each status change cost four index writes; now at most two, and a finished delivery leaves both).
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at_ms, id) WHERE status = 'pending';
CREATE INDEX deliveries_sending ON deliveries (lease_until_ms) WHERE status = 'sending';
DROP INDEX deliveries_due_order;
DROP INDEX deliveries_leased;
