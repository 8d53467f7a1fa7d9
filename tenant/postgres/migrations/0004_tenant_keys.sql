-- A tenant's key is its internal identity, never given again: data is filed under it, so
-- a tenant deleted and made again with the same id starts empty. Tenants made before keys
-- keep their id as key, which no later key can equal (later keys hold a dot).
ALTER TABLE tenants ADD COLUMN data_key text COLLATE "C";
UPDATE tenants SET data_key = id;
ALTER TABLE tenants ALTER COLUMN data_key SET NOT NULL;
ALTER TABLE tenants ADD CONSTRAINT tenants_data_key UNIQUE (data_key);

CREATE SEQUENCE tenant_serials;

-- Deleted tenants whose data is removed in the background; purged_* is when each part was
-- last found empty after the grace for events in flight.
CREATE TABLE tenant_tombstones (
	data_key text COLLATE "C" PRIMARY KEY,
	tenant_id text COLLATE "C" NOT NULL,
	deleted_at timestamptz NOT NULL,
	search_purged_at timestamptz,
	archive_purged_at timestamptz
);
