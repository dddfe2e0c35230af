-- A rebuild's records that the live store lacked (it lost them, or skipped them as dead letters): they wait here for
-- ids after every live one, which they take at the switch (AuditStore.rebuilding). Empty but during a rebuild.
CREATE TABLE audit_strays (
    event_id        TEXT   NOT NULL,
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
