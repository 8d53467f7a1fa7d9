-- The tenancy catalog. Ids, names and emails use the "C" collation so that lists and
-- page tokens follow byte order, whatever the database's locale.

CREATE TABLE catalog_version (
	singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	version bigint NOT NULL
);
INSERT INTO catalog_version (version) VALUES (0);

CREATE TABLE plans (
	id text COLLATE "C" PRIMARY KEY,
	name text NOT NULL,
	ingest_bytes_per_second bigint NOT NULL,
	ingest_burst_bytes bigint NOT NULL,
	max_line_bytes bigint NOT NULL,
	max_streams integer NOT NULL,
	max_query_range_ns bigint NOT NULL,
	max_concurrent_queries integer NOT NULL,
	queue_max_bytes bigint NOT NULL,
	search_days integer NOT NULL,
	archive_days integer NOT NULL,
	managed_by text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE TABLE tenants (
	id text COLLATE "C" PRIMARY KEY,
	name text NOT NULL,
	-- RESTRICT: a plan in use cannot be deleted.
	plan_id text COLLATE "C" NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
	managed_by text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE INDEX tenants_plan_id ON tenants (plan_id);

CREATE TABLE users (
	id text COLLATE "C" PRIMARY KEY,
	-- NULL for operators.
	tenant_id text COLLATE "C" REFERENCES tenants (id) ON DELETE CASCADE,
	email text COLLATE "C" NOT NULL UNIQUE,
	name text NOT NULL,
	role text NOT NULL,
	password_hash text NOT NULL,
	disabled boolean NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);
CREATE INDEX users_tenant_id ON users (tenant_id, email);

CREATE TABLE streams (
	tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name text COLLATE "C" NOT NULL,
	source_type text NOT NULL,
	parser jsonb,
	labels jsonb,
	managed_by text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, name)
);

CREATE TABLE api_keys (
	id text COLLATE "C" PRIMARY KEY,
	tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name text NOT NULL,
	scopes text[] NOT NULL,
	hash text NOT NULL,
	expires_at timestamptz,
	last_used_at timestamptz,
	revoked_at timestamptz,
	managed_by text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX api_keys_tenant_id ON api_keys (tenant_id, id);
CREATE INDEX api_keys_hash ON api_keys (hash);

CREATE TABLE sessions (
	id text COLLATE "C" PRIMARY KEY,
	user_id text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	family text NOT NULL,
	hash text NOT NULL UNIQUE,
	address text NOT NULL,
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL
);
CREATE INDEX sessions_family ON sessions (family);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE signing_keys (
	id text COLLATE "C" PRIMARY KEY,
	private_key bytea NOT NULL,
	created_at timestamptz NOT NULL,
	retires_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);

-- No foreign key to tenants: entries outlive what they tell of.
CREATE TABLE audit_log (
	id text COLLATE "C" PRIMARY KEY,
	at timestamptz NOT NULL,
	actor_kind text NOT NULL,
	actor_id text NOT NULL,
	actor_name text NOT NULL,
	actor_tenant_id text NOT NULL,
	actor_address text NOT NULL,
	tenant_id text COLLATE "C" NOT NULL,
	action text COLLATE "C" NOT NULL,
	target text NOT NULL,
	details jsonb
);
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
