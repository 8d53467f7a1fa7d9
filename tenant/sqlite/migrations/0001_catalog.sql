-- Times are Unix microseconds in UTC; NULL is the zero time.

CREATE TABLE catalog_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
) STRICT;
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TABLE plans (
	id                      TEXT PRIMARY KEY,
	name                    TEXT NOT NULL,
	ingest_bytes_per_second INTEGER NOT NULL,
	ingest_burst_bytes      INTEGER NOT NULL,
	max_line_bytes          INTEGER NOT NULL,
	max_streams             INTEGER NOT NULL,
	max_query_range_ns      INTEGER NOT NULL,
	max_concurrent_queries  INTEGER NOT NULL,
	queue_max_bytes         INTEGER NOT NULL,
	search_days             INTEGER NOT NULL,
	archive_days            INTEGER NOT NULL,
	managed_by              TEXT NOT NULL,
	created_at              INTEGER NOT NULL,
	updated_at              INTEGER NOT NULL
) STRICT;

CREATE TABLE tenants (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	plan_id    TEXT NOT NULL REFERENCES plans (id),
	managed_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tenants_plan ON tenants (plan_id);

-- tenant_id is NULL for operators.
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	tenant_id     TEXT REFERENCES tenants (id) ON DELETE CASCADE,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX users_tenant ON users (tenant_id, email);

CREATE TABLE streams (
	tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	source_type TEXT NOT NULL,
	parser      TEXT,
	labels      TEXT NOT NULL,
	managed_by  TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, name)
) STRICT;

CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	scopes       TEXT NOT NULL,
	hash         TEXT NOT NULL,
	expires_at   INTEGER,
	last_used_at INTEGER,
	revoked_at   INTEGER,
	managed_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);

CREATE TABLE sessions (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	family     TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	address    TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_family ON sessions (family);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE signing_keys (
	id          TEXT PRIMARY KEY,
	private_key BLOB NOT NULL,
	created_at  INTEGER NOT NULL,
	retires_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL
) STRICT;

-- audit has no foreign keys: entries outlive what they name.
CREATE TABLE audit (
	id              TEXT PRIMARY KEY,
	at              INTEGER NOT NULL,
	actor_kind      TEXT NOT NULL,
	actor_id        TEXT NOT NULL,
	actor_name      TEXT NOT NULL,
	actor_tenant_id TEXT NOT NULL,
	actor_address   TEXT NOT NULL,
	tenant_id       TEXT NOT NULL,
	action          TEXT NOT NULL,
	target          TEXT NOT NULL,
	details         TEXT NOT NULL
) STRICT;
CREATE INDEX audit_tenant ON audit (tenant_id, id);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_at ON audit (at);
