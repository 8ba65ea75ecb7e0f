-- The change-feed cursor of a source that reads one (an http source with `changes = true`).
ALTER TABLE sources ADD COLUMN change_cursor TEXT;

-- Submissions a citizen follows by registration index and access code (Bulgarian document
-- tracking). Both are sealed: together they open the document to whoever holds them. The
-- keyed hash of the index keeps one row per citizen, source and document.
CREATE TABLE tracked_submissions (
    id          TEXT PRIMARY KEY,
    citizen_id  TEXT NOT NULL REFERENCES citizens(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    index_hash  TEXT NOT NULL,
    index_enc   TEXT NOT NULL,
    code_enc    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (citizen_id, source_id, index_hash)
);
CREATE INDEX tracked_submissions_source ON tracked_submissions (tenant_id, source_id);
