-- Operations: dry runs, paused sources, suppressed contacts, and the audit log.
ALTER TABLE outbox ADD COLUMN dry_run BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN paused BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN suppressed_at BIGINT;

CREATE TABLE audit_log (
    id       TEXT PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    role     TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    outcome  TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
