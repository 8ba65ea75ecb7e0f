-- A snapshot poll's changes, written in batches while its pages are read, so that a poll
-- of a million records does not hold them all in memory. Nothing reads these tables but
-- the poll's own final commit, which moves its rows into observations and events in the
-- same transaction as the rest of the poll; a poll that fails or is rejected deletes its
-- rows, and a poll of the source deletes what a crashed one left behind.
CREATE TABLE staged_observations (
    poll_id        TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    record_key     TEXT NOT NULL,
    person_hash    TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    version        TEXT,
    status         TEXT NOT NULL,
    data           TEXT NOT NULL,
    due_next       TEXT,
    staged_at      BIGINT NOT NULL
);
CREATE INDEX staged_observations_poll ON staged_observations (poll_id);
CREATE INDEX staged_observations_source ON staged_observations (tenant_id, source_id);

CREATE TABLE staged_events (
    poll_id        TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    id             TEXT NOT NULL,
    tenant_id      TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    record_key     TEXT NOT NULL,
    person_hash    TEXT NOT NULL,
    payload        TEXT NOT NULL,
    expires_at     BIGINT,
    dry_run        INTEGER NOT NULL,
    staged_at      BIGINT NOT NULL,
    PRIMARY KEY (poll_id, seq)
);
CREATE INDEX staged_events_source ON staged_events (tenant_id, source_id);
