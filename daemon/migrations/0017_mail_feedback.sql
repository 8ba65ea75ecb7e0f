-- What happened after an e-mail left: bounces (DSN, RFC 3464) and complaints (ARF, RFC
-- 5965) read by `hlidac bounce`. A contact a permanent failure reached, or temporary
-- ones `bounce_soft_limit` times in a row, is undeliverable: nothing more goes to it until
-- it is confirmed again.
ALTER TABLE contacts ADD COLUMN undeliverable_at BIGINT;
ALTER TABLE contacts ADD COLUMN soft_bounces BIGINT NOT NULL DEFAULT 0;
CREATE TABLE mail_feedback (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    outbox_id    TEXT NOT NULL,
    citizen_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    status       TEXT,
    received_at  BIGINT NOT NULL
);
CREATE INDEX mail_feedback_tenant ON mail_feedback (tenant_id, kind);
