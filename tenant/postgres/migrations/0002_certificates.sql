-- Client certificates of Trolly's certificate authority; their private keys are never kept.
CREATE TABLE client_certs (
	id text COLLATE "C" PRIMARY KEY,
	tenant_id text COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name text NOT NULL,
	serial text NOT NULL UNIQUE,
	fingerprint text NOT NULL UNIQUE,
	not_before timestamptz NOT NULL,
	not_after timestamptz NOT NULL,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL
);
CREATE INDEX client_certs_tenant_id ON client_certs (tenant_id, id);

-- One authority per catalog: the CHECK keeps a second row out.
CREATE TABLE cert_authority (
	id integer PRIMARY KEY CHECK (id = 1),
	certificate bytea NOT NULL,
	private_key bytea NOT NULL,
	created_at timestamptz NOT NULL
);
