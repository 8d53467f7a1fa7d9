-- A plan's max_backlog_bytes: its tenants' share of the queue's backlog. 0, as for existing
-- plans, leaves the queue's max_tenant_backlog_bytes.
ALTER TABLE plans ADD COLUMN max_backlog_bytes bigint NOT NULL DEFAULT 0;
