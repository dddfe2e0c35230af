-- The claim takes due deliveries in (next_attempt_at_ms, id) order: this index yields them in that order without
-- reading or sorting the rest of the backlog.
CREATE INDEX deliveries_due_order ON deliveries (status, next_attempt_at_ms, id);
DROP INDEX deliveries_due;
