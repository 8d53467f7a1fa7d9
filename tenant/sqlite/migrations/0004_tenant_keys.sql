-- A tenant's key is its internal identity, never given again: data is filed under it, so
-- a tenant deleted and made again with the same id starts empty. Tenants made before keys
-- keep their id as key, which no later key can equal (later keys hold a dot).
ALTER TABLE tenants ADD COLUMN data_key TEXT;
UPDATE tenants SET data_key = id;
CREATE UNIQUE INDEX tenants_data_key ON tenants (data_key);

-- AUTOINCREMENT never hands out a number twice, even after its row is deleted.
CREATE TABLE tenant_serials (n INTEGER PRIMARY KEY AUTOINCREMENT) STRICT;

-- Deleted tenants whose data is removed in the background; purged_* is when each part was
-- last found empty after the grace for events in flight.
CREATE TABLE tenant_tombstones (
	data_key          TEXT PRIMARY KEY,
	tenant_id         TEXT NOT NULL,
	deleted_at        INTEGER NOT NULL,
	search_purged_at  INTEGER,
	archive_purged_at INTEGER
) STRICT;
