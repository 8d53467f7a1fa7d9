package tenant

import (
	"encoding/json"
	"time"
)

// Plan is what a tenant pays for: limits and retention. Every limit of a stored plan is
// positive; a zero in a new plan takes the default.
type Plan struct {
	// ID is a slug, like a tenant's.
	ID        string
	Name      string
	Limits    Limits
	Retention Retention
	// ManagedBy is "config" for the plans of tenants defined in the configuration file.
	ManagedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits bound what one tenant may use, so that it cannot slow the others.
type Limits struct {
	// IngestBytesPerSecond is the sustained rate of ingested bytes (after decompression).
	IngestBytesPerSecond int64 `yaml:"ingest_bytes_per_second"`
	// IngestBurstBytes is how far above the rate a tenant may go at once, and so the
	// largest request it may send.
	IngestBurstBytes int64 `yaml:"ingest_burst_bytes"`
	// MaxLineBytes bounds one record.
	MaxLineBytes int64 `yaml:"max_line_bytes"`
	// MaxStreams bounds the tenant's streams.
	MaxStreams int `yaml:"max_streams"`
	// MaxQueryRange bounds the time range of one search.
	MaxQueryRange time.Duration `yaml:"max_query_range"`
	// MaxConcurrentQueries bounds the searches the tenant runs at once.
	MaxConcurrentQueries int `yaml:"max_concurrent_queries"`
	// QueryTimeout bounds how long one search runs before it is stopped.
	QueryTimeout time.Duration `yaml:"query_timeout"`
	// QueueMaxBytes bounds each of the tenant's stream queues, on brokers that keep one
	// queue per stream; when full, the tenant is asked to retry and others are unaffected.
	QueueMaxBytes int64 `yaml:"queue_max_bytes"`
	// MaxBacklogBytes is the tenant's share of the queue's backlog (what it sent that is not
	// stored yet), past which its input is refused with 429; 0 leaves the queue's
	// max_tenant_backlog_bytes.
	MaxBacklogBytes int64 `yaml:"max_backlog_bytes"`
}

// Retention is how long a tenant's events are kept.
type Retention struct {
	// SearchDays is how long events stay searchable; up to 31 days the indices are daily,
	// above monthly.
	SearchDays int `yaml:"search_days"`
	// ArchiveDays is how long the archive keeps them.
	ArchiveDays int `yaml:"archive_days"`
}

// Tenant is one client organisation.
type Tenant struct {
	// ID is a slug: lowercase letters, digits and inner dashes; it names indices and
	// archive paths, and never changes.
	ID string
	// Key is the tenant's internal identity, never given to another tenant: indices,
	// archive objects and queued batches are filed under it, so a tenant deleted and made
	// again with the same ID starts empty. The catalog sets it when the tenant is made.
	Key    string
	Name   string
	PlanID string
	// Limits and Retention are the plan's, filled in when the tenant is read.
	Limits    Limits
	Retention Retention
	// ManagedBy is "config" for tenants defined in the configuration file.
	ManagedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Stream is a named flow of one source type within a tenant.
type Stream struct {
	TenantID   string
	Name       string
	SourceType string
	// Parser holds the source type's settings as a JSON object (patterns, multiline,
	// pipeline steps); empty for none.
	Parser json.RawMessage
	Labels map[string]string
	// ManagedBy is "config" for streams defined in the configuration file.
	ManagedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// User is a person who signs in: an operator (no tenant) or a tenant's admin or member.
type User struct {
	// ID is a ULID.
	ID       string
	TenantID string
	// Email is unique over all tenants, in lowercase.
	Email string
	Name  string
	Role  Role
	// PasswordHash is an argon2id PHC string (see HashPassword).
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// APIKey is a credential for machines. Its secret is shown once, when made; only its
// hash is kept.
type APIKey struct {
	// ID is a ULID, shown in lists and named in logs; the secret starts with it.
	ID       string
	TenantID string
	Name     string
	Scopes   []Scope
	// Hash is HashKey of the whole secret.
	Hash       string
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time
	RevokedAt  time.Time
	// ManagedBy is "config" for keys defined in the configuration file.
	ManagedBy string
	CreatedAt time.Time
}

// Active reports whether the key may be used at now.
func (k APIKey) Active(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// Session is a sign-in: its refresh token is kept as a hash, rotated at every use. Every
// session of one sign-in shares a Family, so that a stolen token, used after its
// rotation, revokes them all.
type Session struct {
	// ID is a ULID.
	ID        string
	UserID    string
	Family    string
	Hash      string
	Address   string
	ExpiresAt time.Time
	RevokedAt time.Time
	CreatedAt time.Time
}

// SigningKey signs access tokens (EdDSA). Tokens name it by ID (the JWT "kid"); it signs
// until RetiresAt and verifies until ExpiresAt.
type SigningKey struct {
	ID string
	// PrivateKey is an Ed25519 private key (64 bytes).
	PrivateKey []byte
	CreatedAt  time.Time
	RetiresAt  time.Time
	ExpiresAt  time.Time
}

// Actor is who made a change: a signed-in user, an API key, the configuration file, the
// command line, or the system itself.
type Actor struct {
	// Kind is "user", "key", "config", "cli" or "system".
	Kind string
	// ID is the user's or key's id; empty for the others.
	ID string
	// Name is for people reading the log: an email, a key's name.
	Name string
	// TenantID is the actor's tenant, empty for operators and the others.
	TenantID string
	// Address is where the request came from, when there was one.
	Address string
}

// AuditEntry records one change: who, what, when.
type AuditEntry struct {
	// ID is a ULID, so entries sort by time.
	ID    string
	At    time.Time
	Actor Actor
	// TenantID is the tenant the change concerns; empty for plans and operators.
	TenantID string
	// Action names the change: "tenant.create", "stream.update", "key.revoke", ...
	Action string
	// Target is the id or name of what changed.
	Target  string
	Details map[string]string
}

// Page asks for one page of a list: Size items (0: 100, at most 1000) after the position
// Token holds (empty: the first page). Lists answer the next page's token, empty after
// the last.
type Page struct {
	Size  int
	Token string
}

// ClientCert is a TLS client certificate Trolly's certificate authority issued for a
// tenant: presented to a syslog TLS listener, it stands for the tenant as an ingest key
// does. Its private key is handed to the caller once and never kept.
type ClientCert struct {
	// ID is a ULID.
	ID       string
	TenantID string
	// Name is the certificate's subject common name, for people: a host, a shipper.
	Name string
	// Serial is the certificate's serial number in hex.
	Serial string
	// Fingerprint is the hex SHA-256 of the certificate's DER: how a connection finds it.
	Fingerprint string
	NotBefore   time.Time
	NotAfter    time.Time
	RevokedAt   time.Time
	CreatedAt   time.Time
}

// Active reports whether the certificate may be used at now.
func (c ClientCert) Active(now time.Time) bool {
	return c.RevokedAt.IsZero() && !now.Before(c.NotBefore) && now.Before(c.NotAfter)
}

// CertAuthority is the certificate authority that signs client certificates, one per
// catalog so that every process of a deployment trusts the same.
type CertAuthority struct {
	// Certificate is the self-signed certificate, DER.
	Certificate []byte
	// PrivateKey is its PKCS #8 private key, DER.
	PrivateKey []byte
	CreatedAt  time.Time
}

// Tombstone records a deleted tenant whose data (search indices, archive objects) is
// fenced at once, since no tenant has its Key any more, and removed in the background.
type Tombstone struct {
	Key       string
	TenantID  string
	DeletedAt time.Time
	// Purged holds when each part (PurgeSearch, PurgeArchive) was last found empty, after
	// which it is not visited again.
	Purged map[string]time.Time
}

// The parts of a tenant's data that are purged separately, each by the layer that owns it.
const (
	PurgeSearch  = "search"
	PurgeArchive = "archive"
)

// CheckPurgePart returns an error wrapping ErrInvalid unless part is PurgeSearch or
// PurgeArchive.
func CheckPurgePart(part string) error {
	if part != PurgeSearch && part != PurgeArchive {
		return Invalid("part", "%q is not a part of a tenant's data", part)
	}
	return nil
}
