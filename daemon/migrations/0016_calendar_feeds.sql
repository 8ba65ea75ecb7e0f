-- A citizen's calendar (iCalendar) feed in one municipality: its URL carries the feed's
-- id and a MAC of it; revoking deletes the row, and so does deleting the account.
CREATE TABLE calendar_feeds (
    id          TEXT PRIMARY KEY,
    citizen_id  TEXT NOT NULL UNIQUE REFERENCES citizens(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);
