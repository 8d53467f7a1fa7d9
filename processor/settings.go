package processor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/internal/days"
)

// Settings are a stream's parser settings: the JSON object a stream keeps in its "parser"
// (tenant.Stream.Parser), applied after its source type. Every key is optional.
type Settings struct {
	// Patterns are grok or regular expressions tried in order on the message the source
	// type left; the first that matches sets its captures. When none matches, the record
	// is tagged _parse_failure.
	Patterns []string `json:"patterns,omitempty"`
	// Definitions name patterns of the stream's own, usable in Patterns as %{NAME}.
	Definitions map[string]string `json:"definitions,omitempty"`
	// Timezone is the zone of times written without one: an IANA name or an offset.
	Timezone string `json:"timezone,omitempty"`
	// Timestamp bounds the event times the stream accepts.
	Timestamp TimestampSettings `json:"timestamp"`
	// Multiline joins continuation lines into one event (see package multiline).
	Multiline json.RawMessage `json:"multiline,omitempty"`
	// Pipeline is the list of steps run on every event after parsing (see package
	// pipeline).
	Pipeline json.RawMessage `json:"pipeline,omitempty"`
}

// TimestampSettings bound event times: an event whose time lies further from its receipt
// gets the receipt time instead, with the tag _timestamp_clamped. A bound of "0" is none.
type TimestampSettings struct {
	MaxPast   *Duration `json:"max_past,omitempty"`
	MaxFuture *Duration `json:"max_future,omitempty"`
}

// Defaults of TimestampSettings. A year back covers any retention a plan offers; a day
// ahead covers every zone a sender may have left out, but not a clock set years wrong.
const (
	DefaultMaxPast   = 365 * 24 * time.Hour
	DefaultMaxFuture = 24 * time.Hour
)

// Duration is a time.Duration written as a Go duration ("90m", "24h") or in days ("30d").
type Duration time.Duration

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`must be a duration string such as "24h" or "30d"`)
	}
	v, err := days.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// ErrInvalidSettings is wrapped by every SettingsError.
var ErrInvalidSettings = errors.New("invalid stream settings")

// SettingsError is a stream setting the processor refuses.
type SettingsError struct {
	// Field is the setting's path within the stream: "source_type", "parser.timezone",
	// "parser.patterns[1]", "parser.pipeline[0].redact.patterns[0]".
	Field string
	Msg   string
}

func (e *SettingsError) Error() string { return e.Field + ": " + e.Msg }

// Unwrap lets callers test errors.Is(err, ErrInvalidSettings).
func (e *SettingsError) Unwrap() error { return ErrInvalidSettings }

func settingsError(field, format string, args ...any) *SettingsError {
	return &SettingsError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// decodeSettings reads a stream's parser settings strictly: an unknown key is a mistake
// that would otherwise be silently ignored.
func decodeSettings(raw json.RawMessage) (Settings, error) {
	var s Settings
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, settingsError(settingsField(err), "%s", settingsReason(err))
	}
	if dec.More() {
		return s, settingsError("parser", "must be one JSON object")
	}
	return s, nil
}

// settingsField names the key a decoding error is about.
func settingsField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "parser." + te.Field
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "parser." + strings.Trim(name, `"`)
	}
	return "parser"
}

func settingsReason(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return fmt.Sprintf("must be %s, not a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown setting; known are patterns, definitions, timezone, timestamp, multiline and pipeline"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "slice":
		return "a list"
	case "map", "struct":
		return "an object"
	case "string":
		return "a string"
	}
	return goKind
}
