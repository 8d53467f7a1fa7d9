package tenant

import (
	"context"
	"crypto/x509"
	"errors"
	"regexp"
)

var (
	// ErrUnauthenticated is returned for a credential that is missing, malformed or unknown.
	ErrUnauthenticated = errors.New("invalid credentials")
	// ErrNotFound is returned for something that does not exist, or that the caller may
	// not know exists.
	ErrNotFound = errors.New("not found")
	// ErrConflict is returned for a name or email that is taken, or a change that what
	// depends on it forbids (deleting a plan in use).
	ErrConflict = errors.New("conflict")
	// ErrInvalid is wrapped by validation errors, which name the offending field.
	ErrInvalid = errors.New("invalid")
	// ErrLimit is returned when a plan's limit forbids a change (one stream too many).
	ErrLimit = errors.New("limit reached")
)

// Scope is what an API key may do.
type Scope string

// Key scopes.
const (
	// ScopeIngest ships logs.
	ScopeIngest Scope = "ingest"
	// ScopeRead searches.
	ScopeRead Scope = "read"
	// ScopeAdmin manages the tenant's streams and keys, as its admins do.
	ScopeAdmin Scope = "admin"
)

// Role is what a signed-in person may do.
type Role string

// Roles.
const (
	// RoleOperator is the provider's: tenants and plans, and no tenant's logs.
	RoleOperator Role = "operator"
	// RoleAdmin is a tenant's admin: streams, keys and users, and everything a member does.
	RoleAdmin Role = "admin"
	// RoleMember is a tenant's member: search.
	RoleMember Role = "member"
)

// Principal is who a credential stands for: a signed-in person (UserID and Role) or an
// API key (KeyID and Scopes).
type Principal struct {
	// TenantID is the tenant acted for; empty for operators.
	TenantID string
	UserID   string
	Role     Role
	KeyID    string
	Scopes   []Scope
	// KeyName names the key that was presented, for logs.
	KeyName string
}

// HasScope reports whether the principal is an API key with scope s.
func (p Principal) HasScope(s Scope) bool {
	for _, have := range p.Scopes {
		if have == s {
			return true
		}
	}
	return false
}

// Directory resolves credentials, tenants and streams.
type Directory interface {
	// Authenticate returns the principal of an API key secret, or ErrUnauthenticated.
	Authenticate(ctx context.Context, secret string) (Principal, error)
	// Tenant returns a tenant by id, or ErrNotFound.
	Tenant(ctx context.Context, id string) (Tenant, error)
	// Stream returns a tenant's stream by name, or ErrNotFound.
	Stream(ctx context.Context, tenantID, name string) (Stream, error)
	// ClientCert returns the client certificate of a fingerprint (see ClientCert), revoked
	// or not, or ErrNotFound; the caller checks Active.
	ClientCert(ctx context.Context, fingerprint string) (ClientCert, error)
	// ClientCAs returns the pool of the authority that signs client certificates: empty,
	// trusting nothing, while there is none.
	ClientCAs(ctx context.Context) (*x509.CertPool, error)
}

var (
	idSyntax     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	streamSyntax = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$`)
)

// ValidID reports whether id is a valid tenant id.
func ValidID(id string) bool { return idSyntax.MatchString(id) }

// ValidStreamName reports whether name is a valid stream name.
func ValidStreamName(name string) bool { return streamSyntax.MatchString(name) }
