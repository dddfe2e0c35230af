-- Every store keeps, next to its rows, how far each projector writing it has read (written in the same transaction
-- as the rows, never moving backwards) and what it had to skip.
CREATE TABLE projector_positions (
    projector    VARCHAR(200) NOT NULL,
    topic        VARCHAR(250) NOT NULL,
    partition_id INTEGER      NOT NULL,
    next_offset  BIGINT       NOT NULL,
    PRIMARY KEY (projector, topic, partition_id)
);
CREATE TABLE projector_dead_letters (
    projector     VARCHAR(200) NOT NULL,
    topic         VARCHAR(250) NOT NULL,
    partition_id  INTEGER      NOT NULL,
    record_offset BIGINT       NOT NULL,
    record_key    TEXT,
    error         TEXT         NOT NULL,
    recorded_at   VARCHAR(40)  NOT NULL,
    PRIMARY KEY (projector, topic, partition_id, record_offset)
);
