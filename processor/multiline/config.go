package multiline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// PresetStackTraces is the preset that joins Java, Python and Go stack traces.
const PresetStackTraces = "stack_traces"

// Defaults and upper bounds of Config. 500 lines hold the deepest Java traces seen in
// practice; 1 MiB is the largest record the processor puts back together.
const (
	DefaultMaxLines = 500
	DefaultMaxBytes = 64 << 10
	DefaultMaxWait  = 2 * time.Second

	maxMaxLines = 10000
	maxMaxBytes = 1 << 20
	maxMaxWait  = time.Minute
)

// Config is a stream's multiline rule as JSON. Exactly one of Preset, Start and
// Continuation is set; a zero bound is its default.
type Config struct {
	Preset       string `json:"preset,omitempty"`
	Start        string `json:"start,omitempty"`
	Continuation string `json:"continuation,omitempty"`
	MaxLines     int    `json:"max_lines,omitempty"`
	MaxBytes     int    `json:"max_bytes,omitempty"`
	// MaxWait is a Go duration string such as "2s".
	MaxWait string `json:"max_wait,omitempty"`
}

// ErrInvalid is wrapped by every error of Compile and New.
var ErrInvalid = errors.New("invalid multiline rule")

// Error is a key of the rule that is refused.
type Error struct {
	// Key is the setting's path: "multiline" for the whole object, else "multiline.start".
	Key string
	Msg string
	// Err is the cause, such as a *syntax.Error of package regexp; it may be nil.
	Err error
}

func (e *Error) Error() string { return e.Key + ": " + e.Msg }

// Unwrap returns ErrInvalid and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

func keyError(key, format string, args ...any) *Error {
	if key != "" {
		key = "multiline." + key
	} else {
		key = "multiline"
	}
	return &Error{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Compile reads a rule strictly (an unknown key is an error) and compiles it. An empty or
// null message is no rule: a nil *Rule, which joins nothing.
func Compile(raw json.RawMessage) (*Rule, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, decodeError(err)
	}
	if dec.More() {
		return nil, keyError("", "must be one JSON object")
	}
	return New(c)
}

func decodeError(err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "an object"
		switch te.Field {
		case "preset", "start", "continuation":
			want = "a string"
		case "max_lines", "max_bytes":
			want = "a whole number"
		case "max_wait":
			want = `a duration string such as "2s"`
		}
		return keyError(te.Field, "must be %s, not a JSON %s", want, te.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return keyError(strings.Trim(name, `"`),
			"unknown key; known are preset, start, continuation, max_lines, max_bytes and max_wait")
	}
	return keyError("", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// New compiles c.
func New(c Config) (*Rule, error) {
	r := &Rule{maxLines: DefaultMaxLines, maxBytes: DefaultMaxBytes, maxWait: DefaultMaxWait}
	if err := r.setMatcher(c); err != nil {
		return nil, err
	}
	if err := r.setBounds(c); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Rule) setMatcher(c Config) error {
	set := 0
	for _, kv := range [...]struct{ key, val string }{
		{"preset", c.Preset}, {"start", c.Start}, {"continuation", c.Continuation},
	} {
		if kv.val == "" {
			continue
		}
		if set++; set > 1 {
			return keyError(kv.key, "give only one of preset, start and continuation")
		}
	}
	switch {
	case c.Preset == PresetStackTraces:
		r.mode = modeStackTraces
	case c.Preset != "":
		return keyError("preset", "unknown preset %q; known is %s", c.Preset, PresetStackTraces)
	case c.Start != "":
		return r.setRegexp(modeStart, "start", c.Start)
	case c.Continuation != "":
		return r.setRegexp(modeContinuation, "continuation", c.Continuation)
	default:
		return keyError("", "give one of preset, start and continuation")
	}
	return nil
}

func (r *Rule) setRegexp(m mode, key, expr string) error {
	re, err := regexp.Compile(expr)
	if err != nil {
		e := keyError(key, "%s", err.Error())
		e.Err = err
		return e
	}
	r.mode, r.re = m, re
	return nil
}

func (r *Rule) setBounds(c Config) error {
	switch {
	case c.MaxLines < 0 || c.MaxLines > maxMaxLines:
		return keyError("max_lines", "must be from 1 to %d, not %d", maxMaxLines, c.MaxLines)
	case c.MaxLines > 0:
		r.maxLines = c.MaxLines
	}
	switch {
	case c.MaxBytes < 0 || c.MaxBytes > maxMaxBytes:
		return keyError("max_bytes", "must be from 1 to %d, not %d", maxMaxBytes, c.MaxBytes)
	case c.MaxBytes > 0:
		r.maxBytes = c.MaxBytes
	}
	if c.MaxWait == "" {
		return nil
	}
	d, err := time.ParseDuration(c.MaxWait)
	switch {
	case err != nil:
		return keyError("max_wait", `must be a duration such as "2s", not %q`, c.MaxWait)
	case d < 0 || d > maxMaxWait:
		return keyError("max_wait", "must be from 1ns to %s, not %s", maxMaxWait, c.MaxWait)
	case d > 0:
		r.maxWait = d
	}
	return nil
}
