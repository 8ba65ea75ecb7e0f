-- Records held back alone (protocol 1.1): a record that did not follow the protocol keeps
-- its last good observation, marked held, and drives no reminder until it comes back well
-- formed. The source remembers how many its last read held back, and which.
ALTER TABLE observations ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN held_records BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN held_note TEXT;
