-- A citizen's own reminder days before a due date ("14,3,0"); NULL: the municipality's.
ALTER TABLE citizens ADD COLUMN reminder_offsets TEXT;
-- Contact confirmations sent for the citizen on one day (a cap against SMS pumping and
-- mail bombing through the confirmation form).
ALTER TABLE citizens ADD COLUMN confirm_sends BIGINT NOT NULL DEFAULT 0;
ALTER TABLE citizens ADD COLUMN confirm_day TEXT;
