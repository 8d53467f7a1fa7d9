-- A plan's query_timeout: how long one search may run. Existing plans take the default, 30 s.
ALTER TABLE plans ADD COLUMN query_timeout_ns bigint NOT NULL DEFAULT 30000000000;
