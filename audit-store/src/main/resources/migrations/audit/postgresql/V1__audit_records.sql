-- One row per event, appended by the audit projector and never changed.
-- id is the position in the audit log, which a cursor pages over. Appenders hold the store's append lock while they
-- take ids and until they commit, so ids become visible in order and an ascending cursor never passes a record that
-- commits late.
CREATE TABLE audit_records (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        TEXT   NOT NULL UNIQUE,
    occurred_at_us  BIGINT NOT NULL,
    actor           TEXT   NOT NULL,
    action          TEXT   NOT NULL,
    verb            TEXT   NOT NULL,
    resource_kind   TEXT   NOT NULL,
    resource_name   TEXT   NOT NULL,
    version         BIGINT NOT NULL,
    command_id      TEXT   NOT NULL,
    request_id      TEXT,
    source_ip       TEXT,
    user_agent      TEXT,
    changes         TEXT   NOT NULL
);
CREATE INDEX audit_by_actor ON audit_records (actor, id);
CREATE INDEX audit_by_action ON audit_records (action, id);
CREATE INDEX audit_by_verb ON audit_records (verb, id);
CREATE INDEX audit_by_time ON audit_records (occurred_at_us, id);
CREATE INDEX audit_by_resource ON audit_records (resource_kind, resource_name, id);

CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END
$$;
CREATE TRIGGER audit_records_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
-- TRUNCATE fires no DELETE trigger: it has one of its own.
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();
