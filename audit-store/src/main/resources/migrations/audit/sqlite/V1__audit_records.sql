-- One row per event, appended by the audit projector and never changed.
-- id is the rowid: the position in the audit log, which a cursor pages over.
CREATE TABLE audit_records (
    id              INTEGER PRIMARY KEY,
    event_id        TEXT    NOT NULL UNIQUE,
    occurred_at_us  INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    verb            TEXT    NOT NULL,
    resource_kind   TEXT    NOT NULL,
    resource_name   TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    command_id      TEXT    NOT NULL,
    request_id      TEXT,
    source_ip       TEXT,
    user_agent      TEXT,
    changes         TEXT    NOT NULL
);
CREATE INDEX audit_by_actor ON audit_records (actor, id);
CREATE INDEX audit_by_action ON audit_records (action, id);
CREATE INDEX audit_by_verb ON audit_records (verb, id);
CREATE INDEX audit_by_time ON audit_records (occurred_at_us, id);
CREATE INDEX audit_by_resource ON audit_records (resource_kind, resource_name, id);
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
