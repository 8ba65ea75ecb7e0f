-- Erasing a person finds the events made of their records by person, and the alerts made
-- of an event by event (the foreign key from the outbox is checked the same way).
CREATE INDEX events_person ON events (tenant_id, person_hash);
CREATE INDEX outbox_event ON outbox (event_id);
