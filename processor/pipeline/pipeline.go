package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/search/query"
)

// ErrInvalid is wrapped by every error of Compile.
var ErrInvalid = errors.New("invalid pipeline")

// MaxSteps bounds a pipeline: every event pays for every step.
const MaxSteps = 64

// Error says what is wrong with a pipeline, and where: Path is like
// "pipeline[2].redact.patterns[0]".
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Unwrap lets callers test errors.Is(err, ErrInvalid).
func (e *Error) Unwrap() error { return ErrInvalid }

func invalid(path, format string, args ...any) error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Pipeline is a compiled list of steps. It is immutable and safe for concurrent use.
type Pipeline struct {
	steps []step
}

// step is one step: its condition (nil: always) and what it does.
type step struct {
	cond   *query.Matcher
	action action
}

type action interface {
	// apply changes d and returns the result so far; stop ends the pipeline. r is passed
	// by value: a pointer would escape through the interface, at one allocation per Run.
	apply(d *ecs.Document, r run) (res Result, stop bool)
}

// Result is what a pipeline decided about an event.
type Result struct {
	// Drop is set when a drop step dropped the event.
	Drop bool
	// Stream and Dataset are where a route step sent the event; "" means unchanged.
	Stream, Dataset string
}

// Copy is an event a duplicate step emits: the document as it is at that step, with the
// fields of its stream and dataset set.
type Copy struct {
	// Stream and Dataset are where the copy goes; "" means the event's own.
	Stream, Dataset string
	// EventID is the copy's event.id; "" when the event has none.
	EventID string
}

// run is the state of one Run.
type run struct {
	res  Result
	dup  func(Copy)
	step int
}

// Run applies the pipeline to d, whose reserved fields the processor has set (d is in its
// reserved layer, see ecs.Document.Reserve). Route steps change d's dataset and stream
// fields themselves. For each duplicate, Run changes d into the copy, calls dup, which must
// encode d before it returns and not keep it, and changes d back; a nil dup skips copies.
// A nil Pipeline changes nothing.
func (p *Pipeline) Run(d *ecs.Document, dup func(Copy)) Result {
	if p == nil {
		return Result{}
	}
	r := run{dup: dup}
	for i := range p.steps {
		s := &p.steps[i]
		if s.cond != nil && !s.cond.Match(d) {
			continue
		}
		r.step = i
		var stop bool
		if r.res, stop = s.action.apply(d, r); stop {
			break
		}
	}
	return r.res
}

// Compile checks and compiles a pipeline: a JSON list of steps. Empty input, null and []
// give a pipeline that changes nothing. Errors are *Error and wrap ErrInvalid.
func Compile(raw json.RawMessage) (*Pipeline, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return &Pipeline{}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, invalid("pipeline", "must be a list of steps: %s", jsonError(err))
	}
	if len(list) > MaxSteps {
		return nil, invalid("pipeline", "%d steps, at most %d", len(list), MaxSteps)
	}
	p := &Pipeline{}
	for i, item := range list {
		s, err := compileStep(fmt.Sprintf("pipeline[%d]", i), item)
		if err != nil {
			return nil, err
		}
		p.steps = append(p.steps, s)
	}
	return p, nil
}

// stepNames lists the steps, for errors.
const stepNames = "drop, duplicate, redact, remove, rename, route, set"

// compileAction makes the step named name from its JSON object; ok is false for a name
// that is no step.
func compileAction(name string, c *compiler) (a action, ok bool, err error) {
	switch name {
	case "set":
		a, err = compileSet(c)
	case "rename":
		a, err = compileRename(c)
	case "remove":
		a, err = compileRemove(c)
	case "drop":
		a, err = compileDrop(c)
	case "route":
		a, err = compileRoute(c, false)
	case "duplicate":
		a, err = compileRoute(c, true)
	case "redact":
		a, err = compileRedact(c)
	default:
		return nil, false, nil
	}
	return a, true, err
}

func compileStep(path string, item json.RawMessage) (step, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(item, &obj); err != nil || obj == nil {
		return step{}, invalid(path, "must be an object with one key naming the step")
	}
	if len(obj) != 1 {
		return step{}, invalid(path, "must have exactly one key naming the step, not %d", len(obj))
	}
	var name string
	var body json.RawMessage
	for k, v := range obj { // the one key
		name, body = k, v
	}
	c := &compiler{path: path + "." + name, body: body}
	a, ok, err := compileAction(name, c)
	switch {
	case !ok:
		return step{}, invalid(path, "unknown step %q; one of %s", name, stepNames)
	case err != nil:
		return step{}, err
	}
	return step{cond: c.cond, action: a}, nil
}

// Streams returns the streams route and duplicate steps send events to, in step order,
// for the caller to check they are streams of the tenant.
func (p *Pipeline) Streams() []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, s := range p.steps {
		if r, ok := s.action.(*routeStep); ok && r.stream != "" {
			out = append(out, r.stream)
		}
	}
	return out
}
