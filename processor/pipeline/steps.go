package pipeline

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// setStep replaces a field by a constant or by a copy of another field.
type setStep struct {
	field    string
	value    string // a JSON string's text, or a number's or boolean's JSON
	isString bool
	copyFrom string
}

func compileSet(c *compiler) (action, error) {
	var cfg struct {
		Field    string          `json:"field"`
		Value    json.RawMessage `json:"value"`
		CopyFrom string          `json:"copy_from"`
		If       string          `json:"if"`
	}
	if err := c.decode(&cfg, &cfg.If, false); err != nil {
		return nil, err
	}
	if err := c.writable("field", cfg.Field, false); err != nil {
		return nil, err
	}
	s := &setStep{field: cfg.Field, copyFrom: cfg.CopyFrom}
	switch hasValue := len(cfg.Value) > 0; {
	case hasValue == (cfg.CopyFrom != ""):
		return nil, c.fail("", "needs either value or copy_from")
	case !hasValue:
		if err := c.field("copy_from", cfg.CopyFrom); err != nil {
			return nil, err
		}
		if cfg.CopyFrom == cfg.Field || isChild(cfg.Field, cfg.CopyFrom) || isChild(cfg.CopyFrom, cfg.Field) {
			return nil, c.fail("copy_from", "%q and field %q must not hold each other", cfg.CopyFrom, cfg.Field)
		}
		return s, nil
	}
	var err error
	if s.value, s.isString, err = scalar(cfg.Value); err != nil {
		return nil, c.fail("value", "%v", err)
	}
	return s, nil
}

// scalar reads a JSON string, number or boolean.
func scalar(raw json.RawMessage) (v string, isString bool, err error) {
	switch raw[0] {
	case '"':
		err = json.Unmarshal(raw, &v)
		return v, true, err
	case 't', 'f':
		return string(raw), false, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
			return "", false, errNumberRange // the syntax is JSON's, checked already
		}
		return string(raw), false, nil
	}
	return "", false, errInvalidValue
}

var (
	errInvalidValue = errors.New("must be a string, a number or a boolean")
	errNumberRange  = errors.New("number out of range of a double")
)

func (s *setStep) apply(d *ecs.Document, r run) (Result, bool) {
	if s.copyFrom != "" {
		d.Copy(s.copyFrom, s.field)
		return r.res, false
	}
	d.Remove(s.field)
	if s.isString {
		d.SetString(s.field, s.value)
	} else {
		d.SetRaw(s.field, s.value)
	}
	return r.res, false
}

// renameStep moves a field.
type renameStep struct{ from, to string }

func compileRename(c *compiler) (action, error) {
	var cfg struct {
		Field string `json:"field"`
		To    string `json:"to"`
		If    string `json:"if"`
	}
	if err := c.decode(&cfg, &cfg.If, false); err != nil {
		return nil, err
	}
	if err := c.writable("field", cfg.Field, true); err != nil {
		return nil, err
	}
	if err := c.writable("to", cfg.To, false); err != nil {
		return nil, err
	}
	if cfg.To == cfg.Field || isChild(cfg.To, cfg.Field) || isChild(cfg.Field, cfg.To) {
		return nil, c.fail("to", "%q and field %q must not hold each other", cfg.To, cfg.Field)
	}
	return &renameStep{from: cfg.Field, to: cfg.To}, nil
}

func (s *renameStep) apply(d *ecs.Document, r run) (Result, bool) {
	d.Rename(s.from, s.to)
	return r.res, false
}

// maxRemove bounds the fields of a remove step.
const maxRemove = 64

// removeStep removes fields.
type removeStep struct{ fields []string }

func compileRemove(c *compiler) (action, error) {
	var cfg struct {
		Fields []string `json:"fields"`
		If     string   `json:"if"`
	}
	if err := c.decode(&cfg, &cfg.If, false); err != nil {
		return nil, err
	}
	if err := c.list("fields", len(cfg.Fields), maxRemove); err != nil {
		return nil, err
	}
	for i, f := range cfg.Fields {
		if err := c.writable(index("fields", i), f, true); err != nil {
			return nil, err
		}
	}
	return &removeStep{fields: cfg.Fields}, nil
}

func (s *removeStep) apply(d *ecs.Document, r run) (Result, bool) {
	for _, f := range s.fields {
		d.Remove(f)
	}
	return r.res, false
}

// dropStep drops the event.
type dropStep struct{}

func compileDrop(c *compiler) (action, error) {
	var cfg struct {
		If string `json:"if"`
	}
	if err := c.decode(&cfg, &cfg.If, true); err != nil {
		return nil, err
	}
	return dropStep{}, nil
}

func (dropStep) apply(_ *ecs.Document, r run) (Result, bool) {
	r.res.Drop = true
	return r.res, true
}

// routeStep sends the event, or a copy of it, to another stream and/or dataset.
type routeStep struct {
	stream, dataset string
	duplicate       bool
}

func compileRoute(c *compiler, duplicate bool) (action, error) {
	var cfg struct {
		Stream  string `json:"stream"`
		Dataset string `json:"dataset"`
		If      string `json:"if"`
	}
	if err := c.decode(&cfg, &cfg.If, false); err != nil {
		return nil, err
	}
	if err := c.target(cfg.Stream, cfg.Dataset); err != nil {
		return nil, err
	}
	return &routeStep{stream: cfg.Stream, dataset: cfg.Dataset, duplicate: duplicate}, nil
}

func (s *routeStep) apply(d *ecs.Document, r run) (Result, bool) {
	if !s.duplicate {
		s.setTarget(d)
		if s.stream != "" {
			r.res.Stream = s.stream
		}
		if s.dataset != "" {
			r.res.Dataset = s.dataset
		}
		return r.res, false
	}
	if r.dup == nil {
		return r.res, false
	}
	m := d.Mark()
	id := copyID(d, r.step)
	if id != "" {
		d.SetString("event.id", id)
	}
	s.setTarget(d)
	r.dup(Copy{Stream: s.stream, Dataset: s.dataset, EventID: id})
	d.Revert(m)
	return r.res, false
}

func (s *routeStep) setTarget(d *ecs.Document) {
	if s.dataset != "" {
		d.SetString("event.dataset", s.dataset)
		d.SetString("data_stream.dataset", s.dataset)
	}
	if s.stream != "" {
		d.SetString("data_stream.namespace", s.stream)
	}
}

// copyID derives the event.id of the copy a duplicate step makes.
func copyID(d *ecs.Document, step int) string {
	var id string
	d.AnyValue("event.id", func(v []byte, isString, _ bool) bool {
		if isString {
			id = string(v) + "-dup" + strconv.Itoa(step)
		}
		return true
	})
	return id
}
