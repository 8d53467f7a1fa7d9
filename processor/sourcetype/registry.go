package sourcetype

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// Names of the built-in source types.
const (
	Text         = "text"
	JSON         = "json"
	NginxAccess  = "nginx_access"
	ApacheAccess = "apache_access"
	NginxError   = "nginx_error"
	ApacheError  = "apache_error"
)

var (
	// ErrNoMatch is wrapped by Parse errors for a line that does not have the source type's
	// format. The processor keeps such a record with the tag _parse_failure.
	ErrNoMatch = errors.New("does not match")
	// ErrTimestamp is wrapped by Parse errors for a line that parsed but whose time could
	// not be read; its other fields are kept. The processor tags it _timestamp_failure.
	ErrTimestamp = errors.New("unusable timestamp")
)

// Env is what a parser knows beside the line, and what it reports beside the fields. The
// processor gives one per record.
type Env struct {
	// Location is the stream's time zone, for times written without one; nil means UTC.
	Location *time.Location
	// Received is when the gateway received the record, in Unix nanoseconds: the
	// reference for times written without a year.
	Received int64
	// Dataset, when a parser sets it, replaces the source type as event.dataset; auto sets
	// the type it picked.
	Dataset string
}

// Loc returns the stream's time zone, UTC when none is set.
func (e *Env) Loc() *time.Location {
	if e == nil || e.Location == nil {
		return time.UTC
	}
	return e.Location
}

// Parser parses the lines of one source type. Parsers are stateless and safe for
// concurrent use; all per-line state lives in the Document and the Env.
type Parser interface {
	// Parse sets on doc the fields it finds in line, and the event's time with
	// doc.SetTimestamp. It returns an error wrapping ErrNoMatch when line does not have the
	// format (doc may then hold part of the fields: roll it back), or wrapping ErrTimestamp
	// when only the time is unusable. line and doc's values may share memory: keep line
	// unchanged until doc is encoded. env is never nil.
	Parse(line []byte, doc *ecs.Document, env *Env) error
}

// Registry maps source type names to parsers. It is not safe to Register concurrently with
// other calls.
type Registry struct {
	parsers map[string]Parser
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{parsers: make(map[string]Parser)}
}

// Builtin returns a new registry holding the built-in source types.
func Builtin() *Registry {
	r := NewRegistry()
	r.parsers[Text] = TextParser{}
	r.parsers[JSON] = JSONParser{}
	r.parsers[NginxAccess] = AccessParser{Name: NginxAccess}
	r.parsers[ApacheAccess] = AccessParser{Name: ApacheAccess}
	r.parsers[NginxError] = NginxErrorParser{}
	r.parsers[ApacheError] = ApacheErrorParser{}
	r.parsers[Logfmt] = LogfmtParser{}
	r.parsers[CEF] = CEFParser{}
	r.parsers[Docker] = DockerParser{}
	r.parsers[CRI] = CRIParser{}
	r.parsers[Syslog] = SyslogParser{}
	r.parsers[SSHD] = SSHDParser{}
	r.parsers[Auto] = AutoParser{Registry: r}
	return r
}

// Register adds a source type; a name may be registered once.
func (r *Registry) Register(name string, p Parser) error {
	if name == "" || p == nil {
		return errors.New("register source type: empty name or nil parser")
	}
	if _, dup := r.parsers[name]; dup {
		return fmt.Errorf("register source type %s: already registered", name)
	}
	r.parsers[name] = p
	return nil
}

// Lookup returns the parser of a source type.
func (r *Registry) Lookup(name string) (Parser, bool) {
	p, ok := r.parsers[name]
	return p, ok
}

// Names returns the registered source types, sorted.
func (r *Registry) Names() []string {
	return slices.Sorted(maps.Keys(r.parsers))
}

// TextParser is the "text" source type: the line is the message, nothing is parsed, and it
// never fails.
type TextParser struct{}

// Parse sets nothing.
func (TextParser) Parse([]byte, *ecs.Document, *Env) error { return nil }
