-- One row per resource: its current document and the event sequence it was built from.
CREATE TABLE resources (
    kind        TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    status      TEXT   NOT NULL,
    data        TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL,
    PRIMARY KEY (kind, name)
);
CREATE INDEX resources_by_status ON resources (kind, status, name);
