package tenant

import (
	"context"
	"time"
)

// Catalog stores tenants, plans, users, streams, API keys, client certificates (their
// records) and their authority, sessions, signing keys and the audit log. Every method that
// changes tenants, plans, users, streams, keys, certificates or the authority records an
// audit entry for actor in the same transaction, and advances Version.
//
// Tenant-scoped reads and writes take the tenant's id and never reach another tenant's
// records: a record of another tenant is ErrNotFound, as one that does not exist.
// Validation errors wrap ErrInvalid and name the field; a taken name or email is
// ErrConflict. Backends are children (tenant/sqlite, tenant/postgres) and pass
// tenant/catalogtest.
type Catalog interface {
	CreatePlan(ctx context.Context, actor Actor, p Plan) (Plan, error)
	GetPlan(ctx context.Context, id string) (Plan, error)
	ListPlans(ctx context.Context, page Page) ([]Plan, string, error)
	// UpdatePlan replaces the plan's name, limits and retention.
	UpdatePlan(ctx context.Context, actor Actor, p Plan) (Plan, error)
	// DeletePlan fails with ErrConflict while a tenant is on the plan.
	DeletePlan(ctx context.Context, actor Actor, id string) error

	// CreateTenant fails with ErrNotFound when the plan does not exist.
	CreateTenant(ctx context.Context, actor Actor, t Tenant) (Tenant, error)
	GetTenant(ctx context.Context, id string) (Tenant, error)
	ListTenants(ctx context.Context, page Page) ([]Tenant, string, error)
	// UpdateTenant replaces the tenant's name and plan.
	UpdateTenant(ctx context.Context, actor Actor, t Tenant) (Tenant, error)
	// DeleteTenant deletes the tenant with its users, sessions, streams, keys and
	// certificates; its audit entries stay, and a Tombstone of its key is left for the
	// purge of its data.
	DeleteTenant(ctx context.Context, actor Actor, id string) error
	// Tombstones lists the deleted tenants whose part (PurgeSearch, PurgeArchive) is not
	// purged yet, oldest first.
	Tombstones(ctx context.Context, part string) ([]Tombstone, error)
	// MarkPurged records, with a "tenant.purged" audit entry, that part of a deleted
	// tenant's data is gone for good.
	MarkPurged(ctx context.Context, actor Actor, key, part string, details map[string]string) error

	// CreateUser stores u (with its password hash already made), giving it an ID. An
	// operator has an empty TenantID.
	CreateUser(ctx context.Context, actor Actor, u User) (User, error)
	GetUser(ctx context.Context, tenantID, id string) (User, error)
	// UserByEmail finds a user of any tenant, for signing in.
	UserByEmail(ctx context.Context, email string) (User, error)
	// UserByID finds a user of any tenant, for refreshing a sign-in.
	UserByID(ctx context.Context, id string) (User, error)
	ListUsers(ctx context.Context, tenantID string, page Page) ([]User, string, error)
	// UpdateUser replaces the user's name, role, password hash and disabled flag.
	UpdateUser(ctx context.Context, actor Actor, u User) (User, error)
	// DeleteUser deletes the user and its sessions.
	DeleteUser(ctx context.Context, actor Actor, tenantID, id string) error
	// CountOperators counts the users without a tenant, for the first start.
	CountOperators(ctx context.Context) (int, error)

	// CreateStream fails with ErrLimit when the tenant has its plan's MaxStreams.
	CreateStream(ctx context.Context, actor Actor, s Stream) (Stream, error)
	GetStream(ctx context.Context, tenantID, name string) (Stream, error)
	ListStreams(ctx context.Context, tenantID string, page Page) ([]Stream, string, error)
	// UpdateStream replaces the stream's source type, parser and labels.
	UpdateStream(ctx context.Context, actor Actor, s Stream) (Stream, error)
	DeleteStream(ctx context.Context, actor Actor, tenantID, name string) error

	// CreateKey stores k (with its hash already made), giving it an ID unless it has one.
	CreateKey(ctx context.Context, actor Actor, k APIKey) (APIKey, error)
	GetKey(ctx context.Context, tenantID, id string) (APIKey, error)
	ListKeys(ctx context.Context, tenantID string, page Page) ([]APIKey, string, error)
	// RevokeKey marks the key revoked; revoking it again changes nothing.
	RevokeKey(ctx context.Context, actor Actor, tenantID, id string) error
	// TouchKeys records when keys were last used (no audit entry, no new Version).
	TouchKeys(ctx context.Context, used map[string]time.Time) error

	// CreateCert stores the record of an issued certificate, giving it an ID unless it has
	// one; a taken fingerprint or serial is ErrConflict.
	CreateCert(ctx context.Context, actor Actor, c ClientCert) (ClientCert, error)
	GetCert(ctx context.Context, tenantID, id string) (ClientCert, error)
	ListCerts(ctx context.Context, tenantID string, page Page) ([]ClientCert, string, error)
	// RevokeCert marks the certificate revoked; revoking it again changes nothing.
	RevokeCert(ctx context.Context, actor Actor, tenantID, id string) error

	// CertAuthority returns the catalog's certificate authority, or ErrNotFound before
	// InitCertAuthority.
	CertAuthority(ctx context.Context) (CertAuthority, error)
	// InitCertAuthority stores ca unless the catalog has one already, and returns the one
	// it has then: of processes making one at once, all end with the first stored.
	InitCertAuthority(ctx context.Context, actor Actor, ca CertAuthority) (CertAuthority, error)

	// CreateSession stores a sign-in's first session, or a rotated one.
	CreateSession(ctx context.Context, s Session) error
	// SessionByHash finds a session by its refresh token's hash, revoked or not.
	SessionByHash(ctx context.Context, hash string) (Session, error)
	// RotateSession revokes old and stores next, atomically; it fails with ErrConflict,
	// storing nothing, when old was already revoked.
	RotateSession(ctx context.Context, oldID string, next Session) error
	// RevokeSessions revokes every session of a family; RevokeUserSessions every session
	// of a user.
	RevokeSessions(ctx context.Context, family string) error
	RevokeUserSessions(ctx context.Context, userID string) error

	// SigningKeys returns the keys not yet expired at now, newest first.
	SigningKeys(ctx context.Context, now time.Time) ([]SigningKey, error)
	AddSigningKey(ctx context.Context, k SigningKey) error

	// Audit records an entry for what is not a change of the catalog (a sign-in).
	Audit(ctx context.Context, e AuditEntry) error
	// ListAudit returns entries newest first; an empty tenantID lists every tenant's and
	// the operators' (for operators only).
	ListAudit(ctx context.Context, f AuditFilter, page Page) ([]AuditEntry, string, error)

	// Version grows with every change of plans, tenants, users, streams, keys, certificates
	// and the certificate authority, so that caches
	// know when to load a Snapshot again.
	Version(ctx context.Context) (int64, error)
	// Snapshot returns every tenant (with its plan), user (without its password hash),
	// stream and unrevoked key, the
	// certificates not yet expired (revoked ones too, so that a refusal can say why) and the
	// authority's certificate, as of the Version it returns, in one read.
	Snapshot(ctx context.Context) (Snapshot, error)

	Close() error
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	// TenantID, when set, keeps the entries concerning that tenant.
	TenantID string
	// Action, when set, keeps the entries of that action or, ending in ".", of that prefix.
	Action string
	// Since and Until, when set, bound At: Since inclusive, Until exclusive.
	Since, Until time.Time
}

// Snapshot is what a Directory serves from memory.
type Snapshot struct {
	Version int64
	Tenants []Tenant
	// Users have no PasswordHash: they are there to re-check access tokens.
	Users   []User
	Streams []Stream
	Keys    []APIKey
	Certs   []ClientCert
	// CACert is the certificate authority's certificate (DER); nil before there is one.
	CACert []byte
}
