-- A citizen's own reminder days before a due date ("14,3,0"); NULL: the municipality's.
ALTER TABLE citizens ADD COLUMN reminder_offsets TEXT;
