-- One row per (source, cron tick): the instance whose insert succeeds runs that tick.
CREATE TABLE tick_claims (
    tenant_id   TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    tick_at     BIGINT NOT NULL,
    holder      TEXT NOT NULL,
    claimed_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, source_id, tick_at)
);
