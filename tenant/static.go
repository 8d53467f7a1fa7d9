package tenant

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Config is one tenant of the configuration file.
type Config struct {
	ID            string         `yaml:"id"`
	Name          string         `yaml:"name"`
	RetentionDays int            `yaml:"retention_days"`
	ArchiveDays   int            `yaml:"archive_days"`
	Limits        Limits         `yaml:"limits"`
	Keys          []KeyConfig    `yaml:"keys"`
	Streams       []StreamConfig `yaml:"streams"`
}

// KeyConfig is one API key, stored as its hash.
type KeyConfig struct {
	Name  string `yaml:"name"`
	Hash  string `yaml:"hash"`
	Scope Scope  `yaml:"scope"`
}

// Plan returns the plan of a configured tenant: its limits and retention, with defaults.
func (c Config) Plan() Plan {
	p := Plan{ID: c.ID, Name: c.name(), Limits: c.Limits, ManagedBy: ManagedByConfig,
		Retention: Retention{SearchDays: c.RetentionDays, ArchiveDays: c.ArchiveDays}}
	p.ApplyDefaults()
	return p
}

func (c Config) name() string {
	if c.Name == "" {
		return c.ID
	}
	return c.Name
}

// ManagedByConfig marks what the configuration file defines: the file wins over changes
// made through the API, at the next start.
const ManagedByConfig = "config"

// StreamConfig is one stream of a tenant.
type StreamConfig struct {
	Name       string `yaml:"name"`
	SourceType string `yaml:"source_type"`
	// Parser is the source type's settings (patterns, time zone, multiline, pipeline), as
	// Stream.Parser holds them in JSON.
	Parser map[string]any `yaml:"parser"`
}

// ParserJSON returns the parser settings as a stream holds them; nil for none.
func (sc StreamConfig) ParserJSON() (json.RawMessage, error) {
	if len(sc.Parser) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(sc.Parser)
	if err != nil {
		return nil, fmt.Errorf("cannot be written as JSON: %w", err)
	}
	return b, nil
}

// Static is a Directory over the configuration file's tenants, held in memory. The
// configuration is validated with it before SyncConfig imports the tenants into the
// catalog; it also serves the layers' unit tests, where no catalog is wanted.
type Static struct {
	tenants map[string]Tenant
	streams map[string][]Stream
	keys    map[[sha256.Size]byte]staticKey
}

type staticKey struct {
	digest    [sha256.Size]byte
	principal Principal
}

// NewStatic validates cfgs and returns their directory. Errors name the offending key,
// as in "tenants[1].keys[0].scope".
func NewStatic(cfgs []Config) (*Static, error) {
	s := &Static{tenants: map[string]Tenant{}, streams: map[string][]Stream{}, keys: map[[sha256.Size]byte]staticKey{}}
	var errs []error
	for i, c := range cfgs {
		errs = append(errs, s.add(c, fmt.Sprintf("tenants[%d]", i))...)
	}
	return s, errors.Join(errs...)
}

// add validates one tenant, found at path in the configuration, and adds it unless it
// has errors, which it returns.
func (s *Static) add(c Config, path string) []error {
	var errs []error
	fail := func(field, msg string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", path, field, fmt.Sprintf(msg, args...)))
	}
	switch {
	case !ValidID(c.ID):
		fail("id", "%q is not a tenant id (lowercase letters, digits and inner dashes, at most 63)", c.ID)
	case s.has(c.ID):
		fail("id", "tenant %q is defined twice", c.ID)
	}
	plan := c.Plan()
	if err := plan.Validate(); err != nil && FieldOf(err) != "id" {
		field := strings.Replace(FieldOf(err), "retention.search_days", "retention_days", 1)
		field = strings.Replace(field, "retention.archive_days", "archive_days", 1)
		var fe *fieldError
		if errors.As(err, &fe) {
			fail(field, "%s", fe.msg)
		}
	}
	t := Tenant{ID: c.ID, Key: c.ID, Name: c.name(), PlanID: c.ID, Retention: plan.Retention, Limits: plan.Limits, ManagedBy: ManagedByConfig}
	var streams []Stream
	seen := map[string]bool{}
	for j, sc := range c.Streams {
		switch {
		case !ValidStreamName(sc.Name):
			fail(fmt.Sprintf("streams[%d].name", j), "%q is not a stream name (lowercase letters, digits, '-' and '_', at most 63)", sc.Name)
		case seen[sc.Name]:
			fail(fmt.Sprintf("streams[%d].name", j), "stream %q is defined twice", sc.Name)
		}
		if sc.SourceType == "" {
			fail(fmt.Sprintf("streams[%d].source_type", j), "is required")
		}
		parser, err := sc.ParserJSON()
		if err != nil {
			fail(fmt.Sprintf("streams[%d].parser", j), "%v", err)
		}
		seen[sc.Name] = true
		streams = append(streams, Stream{TenantID: c.ID, Name: sc.Name, SourceType: sc.SourceType, Parser: parser, ManagedBy: ManagedByConfig})
	}
	keys := map[[sha256.Size]byte]staticKey{}
	names := map[string]bool{}
	for j, kc := range c.Keys {
		d, err := parseHash(kc.Hash)
		_, dup := s.keys[d]
		_, dupHere := keys[d]
		switch {
		case err != nil:
			fail(fmt.Sprintf("keys[%d].hash", j), "%v", err)
		case dup || dupHere:
			fail(fmt.Sprintf("keys[%d].hash", j), "the same key is defined twice")
		}
		if kc.Scope != ScopeIngest && kc.Scope != ScopeRead && kc.Scope != ScopeAdmin {
			fail(fmt.Sprintf("keys[%d].scope", j), "must be %q, %q or %q, got %q", ScopeIngest, ScopeRead, ScopeAdmin, kc.Scope)
		}
		if strings.TrimSpace(kc.Name) == "" {
			fail(fmt.Sprintf("keys[%d].name", j), "is required")
		} else if names[kc.Name] {
			fail(fmt.Sprintf("keys[%d].name", j), "key %q is defined twice", kc.Name)
		}
		names[kc.Name] = true
		keys[d] = staticKey{digest: d, principal: Principal{TenantID: c.ID, Scopes: []Scope{kc.Scope}, KeyName: kc.Name}}
	}
	if len(errs) > 0 {
		return errs
	}
	s.tenants[c.ID] = t
	s.streams[c.ID] = streams
	for d, k := range keys {
		s.keys[d] = k
	}
	return nil
}

func (s *Static) has(id string) bool {
	_, ok := s.tenants[id]
	return ok
}

// Authenticate implements Directory. The map is keyed by the SHA-256 of the secret, so its
// lookup time says nothing about the secret; the final comparison is constant-time anyway.
func (s *Static) Authenticate(_ context.Context, secret string) (Principal, error) {
	if secret == "" {
		return Principal{}, ErrUnauthenticated
	}
	d := sha256.Sum256([]byte(secret))
	k, ok := s.keys[d]
	if !ok || !digestEqual(k.digest, d) {
		return Principal{}, ErrUnauthenticated
	}
	return k.principal, nil
}

// Tenant implements Directory.
func (s *Static) Tenant(_ context.Context, id string) (Tenant, error) {
	t, ok := s.tenants[id]
	if !ok {
		return Tenant{}, ErrNotFound
	}
	return t, nil
}

// Stream implements Directory.
func (s *Static) Stream(_ context.Context, tenantID, name string) (Stream, error) {
	for _, st := range s.streams[tenantID] {
		if st.Name == name {
			return st, nil
		}
	}
	return Stream{}, ErrNotFound
}

// ClientCert implements Directory: the configuration file issues no certificates.
func (s *Static) ClientCert(context.Context, string) (ClientCert, error) {
	return ClientCert{}, ErrNotFound
}

// ClientCAs implements Directory: an empty pool, since there is no authority.
func (s *Static) ClientCAs(context.Context) (*x509.CertPool, error) { return x509.NewCertPool(), nil }
