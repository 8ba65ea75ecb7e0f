-- When a waiting alert first became due, kept across its retries (each retry moves
-- next_attempt_at): the age of the oldest pending alert counts from here. NULL until its
-- first attempt fails, and again after it is deferred (quiet hours, a digest).
ALTER TABLE outbox ADD COLUMN first_due_at BIGINT;
