package tenant

import (
	"context"
	"errors"
	"regexp"
)

var (
	// ErrUnauthenticated is returned for a credential that is missing, malformed or unknown.
	ErrUnauthenticated = errors.New("invalid credentials")
	// ErrNotFound is returned for a tenant or stream that does not exist.
	ErrNotFound = errors.New("not found")
)

// Scope is what an API key may do.
type Scope string

// Key scopes.
const (
	ScopeIngest Scope = "ingest"
	ScopeRead   Scope = "read"
)

// Tenant is one client organisation.
type Tenant struct {
	// ID is a slug: lowercase letters, digits and inner dashes; it names indices and
	// archive paths.
	ID   string
	Name string
	// RetentionDays is how long events stay searchable.
	RetentionDays int
	Limits        Limits
	Streams       []Stream
}

// Limits bound what one tenant may use, so that it cannot slow the others. Zero means no
// limit (or, for QueueMaxBytes, the queue's default).
type Limits struct {
	// IngestBytesPerSecond is the sustained rate of ingested bytes (after decompression).
	IngestBytesPerSecond int64 `yaml:"ingest_bytes_per_second"`
	// IngestBurstBytes is how far above the rate a tenant may go at once, and so the
	// largest request it may send; zero means two seconds of the rate, at least 256 KiB.
	IngestBurstBytes int64 `yaml:"ingest_burst_bytes"`
	// QueueMaxBytes bounds each of the tenant's stream queues, on brokers that keep one
	// queue per stream; when full, the tenant is asked to retry and others are unaffected.
	QueueMaxBytes int64 `yaml:"queue_max_bytes"`
}

// Stream is a named flow of one source type within a tenant.
type Stream struct {
	Name       string
	SourceType string
}

// Principal is who a credential stands for.
type Principal struct {
	TenantID string
	Scope    Scope
	// KeyName names the key that was presented, for logs.
	KeyName string
}

// Directory resolves credentials, tenants and streams.
type Directory interface {
	// Authenticate returns the principal of an API key secret, or ErrUnauthenticated.
	Authenticate(ctx context.Context, secret string) (Principal, error)
	// Tenant returns a tenant by id, or ErrNotFound.
	Tenant(ctx context.Context, id string) (Tenant, error)
	// Stream returns a tenant's stream by name, or ErrNotFound.
	Stream(ctx context.Context, tenantID, name string) (Stream, error)
}

var (
	idSyntax     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	streamSyntax = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$`)
)

// ValidID reports whether id is a valid tenant id.
func ValidID(id string) bool { return idSyntax.MatchString(id) }

// ValidStreamName reports whether name is a valid stream name.
func ValidStreamName(name string) bool { return streamSyntax.MatchString(name) }
