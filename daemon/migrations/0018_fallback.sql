-- Channel fallback: an SMS queued because an e-mail alert bounced permanently or was
-- dead-lettered names the alert it stands in for, so that the alert's history shows
-- both attempts.
ALTER TABLE outbox ADD COLUMN fallback_of TEXT;
