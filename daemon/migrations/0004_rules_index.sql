-- The reminder rules only read receivables that are due within the reminder horizon and
-- have not been evaluated yet today (or changed since).
ALTER TABLE observations ADD COLUMN due_next TEXT;
ALTER TABLE observations ADD COLUMN rules_day TEXT;
CREATE INDEX observations_due ON observations (tenant_id, kind, due_next);
