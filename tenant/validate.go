package tenant

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults of a plan's limits and retention, for the zero fields of a new plan.
var (
	DefaultLimits = Limits{
		IngestBytesPerSecond: 100 << 20,
		IngestBurstBytes:     200 << 20, // 2 x the rate
		MaxLineBytes:         256 << 10,
		MaxStreams:           100,
		MaxQueryRange:        400 * 24 * time.Hour,
		MaxConcurrentQueries: 8,
		QueryTimeout:         30 * time.Second,
		QueueMaxBytes:        256 << 20,
	}
	DefaultRetention = Retention{SearchDays: 7, ArchiveDays: 90}
)

// MaxQueryTimeout bounds a plan's query_timeout: a longer search holds its slot from
// every other tenant's.
const MaxQueryTimeout = time.Hour

// minBurstBytes lets a tenant with a small rate still send requests of a useful size.
const minBurstBytes = 256 << 10

// fieldError is a validation error naming its field; it wraps ErrInvalid.
type fieldError struct {
	field, msg string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }
func (e *fieldError) Unwrap() error { return ErrInvalid }

// Field names the invalid field.
func (e *fieldError) Field() string { return e.field }

func invalid(field, format string, args ...any) error {
	return &fieldError{field: field, msg: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error naming field, for the checks stores and services make
// beyond the model's own.
func Invalid(field, format string, args ...any) error { return invalid(field, format, args...) }

// FieldOf returns the field a validation error names, or "".
func FieldOf(err error) string {
	var fe interface{ Field() string }
	if errors.As(err, &fe) {
		return fe.Field()
	}
	return ""
}

var (
	labelKeySyntax = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)
	keyNameMax     = 200
)

// ApplyDefaults gives every zero limit and retention of p its default.
func (p *Plan) ApplyDefaults() {
	l, d := &p.Limits, DefaultLimits
	setIfZero(&l.IngestBytesPerSecond, d.IngestBytesPerSecond)
	setIfZero(&l.IngestBurstBytes, max(2*l.IngestBytesPerSecond, minBurstBytes))
	setIfZero(&l.MaxLineBytes, d.MaxLineBytes)
	setIfZero(&l.MaxStreams, d.MaxStreams)
	setIfZero(&l.MaxQueryRange, d.MaxQueryRange)
	setIfZero(&l.MaxConcurrentQueries, d.MaxConcurrentQueries)
	setIfZero(&l.QueryTimeout, d.QueryTimeout)
	setIfZero(&l.QueueMaxBytes, d.QueueMaxBytes)
	setIfZero(&p.Retention.SearchDays, DefaultRetention.SearchDays)
	setIfZero(&p.Retention.ArchiveDays, max(DefaultRetention.ArchiveDays, p.Retention.SearchDays))
}

func setIfZero[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Validate reports the first invalid field of a plan whose defaults were applied.
func (p Plan) Validate() error {
	if !ValidID(p.ID) {
		return invalid("id", "%q is not a plan id (lowercase letters, digits and inner dashes, at most 63)", p.ID)
	}
	if err := validName("name", p.Name); err != nil {
		return err
	}
	l := p.Limits
	for _, c := range []struct {
		field string
		v     int64
	}{
		{"limits.ingest_bytes_per_second", l.IngestBytesPerSecond},
		{"limits.ingest_burst_bytes", l.IngestBurstBytes},
		{"limits.max_line_bytes", l.MaxLineBytes},
		{"limits.max_streams", int64(l.MaxStreams)},
		{"limits.max_query_range", int64(l.MaxQueryRange)},
		{"limits.max_concurrent_queries", int64(l.MaxConcurrentQueries)},
		{"limits.query_timeout", int64(l.QueryTimeout)},
		{"limits.queue_max_bytes", l.QueueMaxBytes},
		{"retention.search_days", int64(p.Retention.SearchDays)},
		{"retention.archive_days", int64(p.Retention.ArchiveDays)},
	} {
		if c.v <= 0 {
			return invalid(c.field, "must be > 0, got %d", c.v)
		}
	}
	if l.MaxBacklogBytes < 0 {
		return invalid("limits.max_backlog_bytes", "must be >= 0 (0: the queue's max_tenant_backlog_bytes), got %d", l.MaxBacklogBytes)
	}
	if l.QueryTimeout > MaxQueryTimeout {
		return invalid("limits.query_timeout", "must be at most %s, got %s", MaxQueryTimeout, l.QueryTimeout)
	}
	if l.IngestBurstBytes > 1<<31-1 {
		return invalid("limits.ingest_burst_bytes", "must be at most 2 GiB, got %d", l.IngestBurstBytes)
	}
	if p.Retention.ArchiveDays < p.Retention.SearchDays {
		return invalid("retention.archive_days", "must be at least retention.search_days (%d), got %d", p.Retention.SearchDays, p.Retention.ArchiveDays)
	}
	return nil
}

// ValidKey reports whether s is a tenant key: a tenant id (the key of tenants made before
// keys existed) or a tenant id, a dot and a serial number.
func ValidKey(s string) bool {
	id, serial, found := strings.Cut(s, ".")
	if !found {
		return ValidID(id)
	}
	if serial == "" || len(serial) > 19 || serial[0] == '0' {
		return false
	}
	for i := range len(serial) {
		if serial[i] < '0' || serial[i] > '9' {
			return false
		}
	}
	return ValidID(id)
}

// IDOfKey returns the id of the tenant whose key is key.
func IDOfKey(key string) string {
	id, _, _ := strings.Cut(key, ".")
	return id
}

// NewKey returns the key of tenant id made with the catalog's serial number n.
func NewKey(id string, n int64) string { return id + "." + strconv.FormatInt(n, 10) }

// Validate reports the first invalid field of a tenant.
func (t Tenant) Validate() error {
	if !ValidID(t.ID) {
		return invalid("id", "%q is not a tenant id (lowercase letters, digits and inner dashes, at most 63)", t.ID)
	}
	if err := validName("name", t.Name); err != nil {
		return err
	}
	if !ValidID(t.PlanID) {
		return invalid("plan_id", "%q is not a plan id", t.PlanID)
	}
	return nil
}

// Validate reports the first invalid field of a user.
func (u User) Validate() error {
	if _, err := NormalizeEmail(u.Email); err != nil {
		return err
	}
	if utf8.RuneCountInString(u.Name) > keyNameMax {
		return invalid("name", "must be at most %d characters", keyNameMax)
	}
	switch {
	case u.Role == RoleOperator && u.TenantID != "":
		return invalid("role", "an operator belongs to no tenant")
	case (u.Role == RoleAdmin || u.Role == RoleMember) && !ValidID(u.TenantID):
		return invalid("tenant_id", "an %s belongs to a tenant", u.Role)
	case u.Role != RoleOperator && u.Role != RoleAdmin && u.Role != RoleMember:
		return invalid("role", "must be operator, admin or member, got %q", u.Role)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		return invalid("password", "is not set")
	}
	return nil
}

// Bounds of a new password: long enough to resist guessing, short enough to hash cheaply.
const (
	MinPasswordRunes = 12
	maxPasswordBytes = 1024
)

// ValidPassword reports whether password may be set, as an error naming the field.
func ValidPassword(password string) error {
	if utf8.RuneCountInString(password) < MinPasswordRunes || len(password) > maxPasswordBytes {
		return invalid("password", "must be %d to %d characters", MinPasswordRunes, maxPasswordBytes)
	}
	return nil
}

// NormalizeEmail checks an address and returns it in lowercase.
func NormalizeEmail(email string) (string, error) {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", invalid("email", "%q is not an email address", email)
	}
	return strings.ToLower(email), nil
}

// Validate reports the first invalid field of a stream; its source type is checked by
// who knows the source types.
func (s Stream) Validate() error {
	if !ValidStreamName(s.Name) {
		return invalid("name", "%q is not a stream name (lowercase letters, digits, '-' and '_', at most 63)", s.Name)
	}
	if s.SourceType == "" {
		return invalid("source_type", "is required")
	}
	if len(s.Parser) > 0 {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(s.Parser, &obj); err != nil {
			return invalid("parser", "must be a JSON object")
		}
	}
	if len(s.Labels) > 64 {
		return invalid("labels", "at most 64, got %d", len(s.Labels))
	}
	for k, v := range s.Labels {
		if !labelKeySyntax.MatchString(k) {
			return invalid("labels", "%q is not a label name (lowercase letters, digits, '_', '.', '-')", k)
		}
		if len(v) > 256 || !utf8.ValidString(v) {
			return invalid("labels", "the value of %q must be UTF-8, at most 256 bytes", k)
		}
	}
	return nil
}

// Validate reports the first invalid field of a key.
func (k APIKey) Validate() error {
	if err := validName("name", k.Name); err != nil {
		return err
	}
	if len(k.Scopes) == 0 {
		return invalid("scopes", "at least one of ingest, read, admin")
	}
	for _, s := range k.Scopes {
		if s != ScopeIngest && s != ScopeRead && s != ScopeAdmin {
			return invalid("scopes", "must be ingest, read or admin, got %q", s)
		}
	}
	if !ValidID(k.TenantID) {
		return invalid("tenant_id", "%q is not a tenant id", k.TenantID)
	}
	if _, err := parseHash(k.Hash); err != nil {
		return invalid("hash", "%v", err)
	}
	return nil
}

func validName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return invalid(field, "is required")
	}
	if utf8.RuneCountInString(name) > keyNameMax || !utf8.ValidString(name) {
		return invalid(field, "must be UTF-8, at most %d characters", keyNameMax)
	}
	return nil
}

// certNameMax is the longest common name RFC 5280 allows.
const certNameMax = 64

// ValidateCertName reports whether name may be a certificate's name: its subject common
// name, so printable and at most 64 characters.
func ValidateCertName(name string) error {
	if err := validName("name", name); err != nil {
		return err
	}
	if utf8.RuneCountInString(name) > certNameMax {
		return invalid("name", "must be at most %d characters (a certificate's common name)", certNameMax)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return invalid("name", "must be printable characters, got %q", r)
		}
	}
	return nil
}

// Validate reports the first invalid field of a certificate's record.
func (c ClientCert) Validate() error {
	if err := ValidateCertName(c.Name); err != nil {
		return err
	}
	if !ValidID(c.TenantID) {
		return invalid("tenant_id", "%q is not a tenant id", c.TenantID)
	}
	if b, err := hex.DecodeString(c.Fingerprint); err != nil || len(b) != sha256.Size {
		return invalid("fingerprint", "must be %d hex digits (SHA-256)", 2*sha256.Size)
	}
	if _, err := hex.DecodeString(c.Serial); err != nil || c.Serial == "" {
		return invalid("serial", "must be hex digits")
	}
	if c.NotBefore.IsZero() || !c.NotAfter.After(c.NotBefore) {
		return invalid("not_after", "must be after not_before")
	}
	return nil
}
