-- IdP-initiated single logout: the IdP names the login by its NameID, so each session
-- keeps a keyed hash of (IdP, NameID) to be found by.
ALTER TABLE sessions ADD COLUMN name_id_hash TEXT;
CREATE INDEX sessions_name_id ON sessions (name_id_hash);
