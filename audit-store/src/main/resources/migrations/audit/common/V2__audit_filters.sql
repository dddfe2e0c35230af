-- Every filter and every pair of filters an auditor combines has an index ordered by id, the order pages follow:
-- without one, "an actor AND an action that actor never did" walks all of the actor's records.
CREATE INDEX audit_by_kind ON audit_records (resource_kind, id);
CREATE INDEX audit_by_actor_action ON audit_records (actor, action, id);
CREATE INDEX audit_by_actor_verb ON audit_records (actor, verb, id);
CREATE INDEX audit_by_actor_kind ON audit_records (actor, resource_kind, id);
CREATE INDEX audit_by_actor_resource ON audit_records (actor, resource_kind, resource_name, id);
-- Time bounds become id bounds (see audit_time_index), so a time index ordered by time is no use to a page.
DROP INDEX audit_by_time;

-- Per minute, hour and day of occurred_at: the lowest and highest id of the records in it. A since/until filter
-- turns into an id range from a few rows here, so every filter stays an index range in id order. Late records
-- (an event older than records appended before it) widen their bucket's range; the answer stays exact.
CREATE TABLE audit_time_index (
    level  INTEGER NOT NULL,
    bucket BIGINT  NOT NULL,
    min_id BIGINT  NOT NULL,
    max_id BIGINT  NOT NULL,
    PRIMARY KEY (level, bucket)
);
INSERT INTO audit_time_index (level, bucket, min_id, max_id)
    SELECT 0, occurred_at_us / 60000000, MIN(id), MAX(id) FROM audit_records GROUP BY occurred_at_us / 60000000;
INSERT INTO audit_time_index (level, bucket, min_id, max_id)
    SELECT 1, occurred_at_us / 3600000000, MIN(id), MAX(id) FROM audit_records GROUP BY occurred_at_us / 3600000000;
INSERT INTO audit_time_index (level, bucket, min_id, max_id)
    SELECT 2, occurred_at_us / 86400000000, MIN(id), MAX(id) FROM audit_records GROUP BY occurred_at_us / 86400000000;
