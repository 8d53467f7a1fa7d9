package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/tenant"
)

// compiler reads one step's JSON object.
type compiler struct {
	path string // "pipeline[2].redact"
	body json.RawMessage
	cond *query.Matcher
}

func (c *compiler) fail(key, format string, args ...any) error {
	path := c.path
	if key != "" {
		path += "." + key
	}
	return invalid(path, format, args...)
}

// decode reads the step's object into v, refusing unknown keys, and its condition.
// required says a step needs "if".
func (c *compiler) decode(v any, cond *string, required bool) error {
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return c.decodeError(err, v)
	}
	if bytes.Equal(bytes.TrimSpace(c.body), []byte("null")) {
		return c.fail("", "must be an object")
	}
	if strings.TrimSpace(*cond) == "" {
		if required {
			return c.fail("if", "required: the query of the events the step applies to")
		}
		return nil
	}
	n, err := query.Parse(*cond)
	if err != nil {
		return c.fail("if", "%v", err)
	}
	c.cond = query.Compile(n)
	return nil
}

// decodeError names the key that err is about; v is what was decoded into.
func (c *compiler) decodeError(err error, v any) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return c.fail("", "must be an object, not %s", te.Value)
		}
		want := te.Type
		if f, ok := fieldByKey(reflect.TypeOf(v).Elem(), te.Field); ok {
			want = f.Type // a list, when te is about one of its elements
		}
		return c.fail(te.Field, "must be %s, not %s", typeName(want), te.Value)
	}
	if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return c.fail("", "unknown key %s", key)
	}
	return c.fail("", "%v", err)
}

// jsonError says why a pipeline is not a list.
func jsonError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		return "got " + te.Value
	}
	return err.Error()
}

// fieldByKey returns the field of struct type t whose JSON key is key.
func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s"
	case reflect.Pointer:
		return typeName(t.Elem())
	}
	return t.String()
}

// field checks a field path the step reads.
func (c *compiler) field(key, path string) error {
	switch {
	case path == "":
		return c.fail(key, "required")
	case !validPath(path):
		return c.fail(key, "%q is not a field path: dot-separated names of letters, digits, '_', '@' and '-'", path)
	}
	return nil
}

// writable checks a field path the step writes, renames or removes; keepMessage forbids
// the message itself, which must stay on every event.
func (c *compiler) writable(key, path string, keepMessage bool) error {
	if err := c.field(key, path); err != nil {
		return err
	}
	if r, ok := reservedOverlap(path); ok {
		return c.fail(key, "%q touches %s, which the processor sets on every event%s", path, r, reservedHint(r))
	}
	switch {
	case isChild(path, "message"):
		return c.fail(key, "%q is inside the message, which is a string", path)
	case keepMessage && path == "message":
		return c.fail(key, "every event keeps its message: set or redact it instead")
	}
	return nil
}

func reservedHint(r string) string {
	switch r {
	case "event.dataset", "data_stream.dataset", "data_stream.namespace":
		return "; route and duplicate change it"
	}
	return ""
}

// reservedOverlap returns the reserved field that path is, holds or lies inside.
func reservedOverlap(path string) (string, bool) {
	for _, r := range [...]string{"@timestamp", "event.id", "event.ingested", "event.dataset",
		"organization.id", "ecs.version", "data_stream.type", "data_stream.dataset", "data_stream.namespace"} {
		if path == r || isChild(path, r) || isChild(r, path) {
			return r, true
		}
	}
	return "", false
}

// isChild reports whether c lies inside the object p.
func isChild(c, p string) bool {
	return len(c) > len(p) && c[len(p)] == '.' && strings.HasPrefix(c, p)
}

// validPath reports whether p is a field of the query language (query.ValidField), at
// most maxPathLen bytes long.
func validPath(p string) bool { return len(p) <= maxPathLen && query.ValidField(p) }

const maxPathLen = 256

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }

// validDataset reports whether d can be a data_stream.dataset: lower-case letters,
// digits, '_' and '.', starting with a letter or digit, at most 100 bytes (Elasticsearch
// forbids '-' in it, and upper case and most punctuation in index names).
func validDataset(d string) bool {
	if d == "" || len(d) > 100 || !isLower(d[0]) && !isDigit(d[0]) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if c := d[i]; !isLower(c) && !isDigit(c) && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// target checks where a route or duplicate sends events.
func (c *compiler) target(stream, dataset string) error {
	switch {
	case stream == "" && dataset == "":
		return c.fail("", "needs a stream, a dataset or both")
	case stream != "" && !tenant.ValidStreamName(stream):
		return c.fail("stream", "%q is not a stream name", stream)
	case dataset != "" && !validDataset(dataset):
		return c.fail("dataset", "%q is not a dataset: lower-case letters, digits, '_' and '.', at most 100", dataset)
	}
	return nil
}

// list checks that a list of a step is not empty and not too long.
func (c *compiler) list(key string, n, most int) error {
	switch {
	case n == 0:
		return c.fail(key, "must not be empty")
	case n > most:
		return c.fail(key, "%d entries, at most %d", n, most)
	}
	return nil
}

func index(key string, i int) string { return fmt.Sprintf("%s[%d]", key, i) }
