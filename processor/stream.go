package processor

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/processor/grok"
	"github.com/trolly-logs/trolly/processor/multiline"
	"github.com/trolly-logs/trolly/processor/pipeline"
	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/processor/timestamp"
	"github.com/trolly-logs/trolly/tenant"
)

// Stream is a stream's parsing, compiled once from its source type and settings. It is
// immutable and safe for concurrent use.
type Stream struct {
	sourceType    string
	parser        sourcetype.Parser
	parsesMessage bool // parse a JSON record's message on top: not for json and text
	patterns      *grok.Set
	loc           *time.Location
	maxPast       time.Duration
	maxFuture     time.Duration
	multiline     *multiline.Rule
	pipeline      *pipeline.Pipeline
}

// RouteStreams returns the streams the stream's pipeline sends events to; the caller checks
// they are streams of the same tenant.
func (s *Stream) RouteStreams() []string { return s.pipeline.Streams() }

// RoutedBy returns the first of a tenant's streams, other than the one named, whose pipeline
// routes or duplicates events to the stream named: deleting it would leave those events
// under a name the tenant no longer has. Settings that do not compile route nowhere.
func RoutedBy(streams []tenant.Stream, name string) (string, bool) {
	for _, st := range streams {
		if st.Name == name || len(st.Parser) == 0 {
			continue
		}
		compiled, err := CompileStream(nil, st.SourceType, st.Parser)
		if err == nil && slices.Contains(compiled.RouteStreams(), name) {
			return st.Name, true
		}
	}
	return "", false
}

// ValidateStream checks a source type and its settings (tenant.Stream.Parser) as a stream
// is saved. The error is a *SettingsError naming the setting, with the position of an error
// in a pattern.
func ValidateStream(sourceType string, parser json.RawMessage) error {
	_, err := CompileStream(nil, sourceType, parser)
	return err
}

// CompileStream compiles a stream's parsing from the source types of r (nil means the
// built-in ones). Errors are *SettingsError.
func CompileStream(r *sourcetype.Registry, sourceType string, parser json.RawMessage) (*Stream, error) {
	if r == nil {
		r = sourcetype.Builtin()
	}
	p, ok := r.Lookup(sourceType)
	if !ok {
		return nil, settingsError("source_type", "unknown source type %q; one of %s", sourceType, strings.Join(r.Names(), ", "))
	}
	s, err := decodeSettings(parser)
	if err != nil {
		return nil, err
	}
	st := &Stream{
		sourceType:    sourceType,
		parser:        p,
		parsesMessage: sourceType != sourcetype.JSON && sourceType != sourcetype.Text,
		maxPast:       durationOr(s.Timestamp.MaxPast, DefaultMaxPast),
		maxFuture:     durationOr(s.Timestamp.MaxFuture, DefaultMaxFuture),
	}
	if st.loc, err = timestamp.LoadLocation(s.Timezone); err != nil {
		return nil, settingsError("parser.timezone", "%v", err)
	}
	if st.multiline, err = multiline.Compile(s.Multiline); err != nil {
		var me *multiline.Error
		if errors.As(err, &me) {
			return nil, settingsError("parser."+me.Key, "%s", me.Msg)
		}
		return nil, settingsError("parser.multiline", "%v", err)
	}
	if err := refuseMaxWait(s.Multiline); err != nil {
		return nil, err
	}
	if st.multiline != nil && (sourceType == sourcetype.Docker || sourceType == sourcetype.CRI) {
		return nil, settingsError("parser.multiline", "not available for %s streams, whose lines are wrapped: "+
			"the runtime's split lines are joined by their partial flag", sourceType)
	}
	if st.pipeline, err = pipeline.Compile(s.Pipeline); err != nil {
		var pe *pipeline.Error
		if errors.As(err, &pe) {
			return nil, settingsError("parser."+pe.Path, "%s", pe.Msg)
		}
		return nil, settingsError("parser.pipeline", "%v", err)
	}
	if len(s.Patterns) > 0 || len(s.Definitions) > 0 {
		if st.patterns, err = grok.CompileAll(s.Patterns, s.Definitions); err != nil {
			return nil, patternError(err)
		}
	}
	return st, nil
}

func durationOr(d *Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return time.Duration(*d)
}

// patternError names the pattern or definition a grok error is in.
func patternError(err error) error {
	var ce *grok.CompileError
	if !errors.As(err, &ce) {
		return settingsError("parser.patterns", "%v", err)
	}
	field := fmt.Sprintf("parser.patterns[%d]", ce.Pattern)
	if ce.Definition != "" {
		field = "parser.definitions." + ce.Definition
	}
	return settingsError(field, "at offset %d: %s", ce.Offset, ce.Msg)
}

// refuseMaxWait refuses multiline.max_wait, which bounds lines arriving over time: the
// processor joins the lines of one batch, so a stream setting would change nothing.
func refuseMaxWait(raw json.RawMessage) error {
	var m struct {
		MaxWait json.RawMessage `json:"max_wait"`
	}
	if json.Unmarshal(raw, &m) == nil && m.MaxWait != nil {
		return settingsError("parser.multiline.max_wait", "not a stream setting: lines join within each batch the gateway makes")
	}
	return nil
}
