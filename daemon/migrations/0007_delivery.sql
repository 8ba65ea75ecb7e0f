-- Delivery: SMS parts, receipts, quiet hours and digests.

-- How many SMS parts an alert took (NULL for e-mail), and when a receipt said it arrived.
ALTER TABLE outbox ADD COLUMN parts BIGINT;
ALTER TABLE outbox ADD COLUMN delivered_at BIGINT;
-- A digest member waits in state 'held' under its digest key (citizen, channel, slot);
-- once gathered it points at the digest alert that carries it.
ALTER TABLE outbox ADD COLUMN digest_key TEXT;
ALTER TABLE outbox ADD COLUMN digest_id TEXT;
CREATE INDEX outbox_held ON outbox (digest_key) WHERE state = 'held';
CREATE INDEX outbox_digest ON outbox (digest_id) WHERE digest_id IS NOT NULL;

-- The dispatcher's indexes hold only the alerts it looks for (due, leased), so that
-- moving an alert on to `sent` leaves them, rather than updating an index entry.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'sending';

-- What a provider called each message it accepted (one per SMS part), and what its
-- delivery receipt said.
CREATE TABLE provider_refs (
    provider    TEXT NOT NULL,
    ref         TEXT NOT NULL,
    outbox_id   TEXT NOT NULL,
    status      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (provider, ref)
);
CREATE INDEX provider_refs_outbox ON provider_refs (outbox_id);

-- A citizen's own SMS quiet hours ("HH:MM-HH:MM", NULL = the municipality's) and how
-- alerts reach them: NULL or 'immediate', or 'daily' (one digest a day per channel).
ALTER TABLE citizens ADD COLUMN quiet_hours TEXT;
ALTER TABLE citizens ADD COLUMN delivery TEXT;
