-- On PostgreSQL the database keeps the time index, from exactly the rows each insert added: the services' role may
-- read the index but not write it, so it cannot hide records from time-filtered queries, and the index does not
-- depend on how ids were taken. (SQLite has no roles; AuditStore keeps it there.)
CREATE FUNCTION audit_index_times() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ${flyway:defaultSchema} AS $$
BEGIN
    INSERT INTO audit_time_index (level, bucket, min_id, max_id)
    SELECT level, bucket, MIN(id), MAX(id) FROM (
        SELECT 0 AS level, floor(occurred_at_us::numeric / 60000000)::bigint AS bucket, id FROM inserted
        UNION ALL SELECT 1, floor(occurred_at_us::numeric / 3600000000)::bigint, id FROM inserted
        UNION ALL SELECT 2, floor(occurred_at_us::numeric / 86400000000)::bigint, id FROM inserted) AS buckets
    GROUP BY level, bucket
    ON CONFLICT (level, bucket) DO UPDATE SET min_id = LEAST(audit_time_index.min_id, excluded.min_id),
        max_id = GREATEST(audit_time_index.max_id, excluded.max_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_records_index_times AFTER INSERT ON audit_records REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION audit_index_times();
