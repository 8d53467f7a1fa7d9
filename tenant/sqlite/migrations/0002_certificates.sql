-- Client certificates of Trolly's certificate authority; their private keys are never kept.
CREATE TABLE client_certs (
	id          TEXT PRIMARY KEY,
	tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	serial      TEXT NOT NULL UNIQUE,
	fingerprint TEXT NOT NULL UNIQUE,
	not_before  INTEGER NOT NULL,
	not_after   INTEGER NOT NULL,
	revoked_at  INTEGER,
	created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX client_certs_tenant ON client_certs (tenant_id, id);

-- One authority per catalog: the CHECK keeps a second row out.
CREATE TABLE cert_authority (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	certificate BLOB NOT NULL,
	private_key BLOB NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT;
