-- The citizen's pages: consent on the first login, contact confirmation codes and the
-- citizen's own dated reminders (the note sealed).
ALTER TABLE citizens ADD COLUMN consented_at BIGINT;

CREATE TABLE contact_challenges (
    contact_id  TEXT PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    expires_at  BIGINT NOT NULL,
    sent_at     BIGINT NOT NULL
);

CREATE TABLE personal_reminders (
    id          TEXT PRIMARY KEY,
    citizen_id  TEXT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    due_date    TEXT NOT NULL,
    note_enc    TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX personal_reminders_due ON personal_reminders (due_date);
CREATE INDEX personal_reminders_citizen ON personal_reminders (citizen_id);
