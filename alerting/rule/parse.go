package rule

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/trolly-logs/trolly/tenant"
)

// MaxDocumentBytes bounds a rule document.
const MaxDocumentBytes = 64 << 10

// ParseJSON reads a rule document strictly: an unknown key, a value of the wrong type or
// trailing data is an error naming the field.
func ParseJSON(doc []byte) (Rule, error) {
	if len(doc) > MaxDocumentBytes {
		return Rule{}, tenant.Invalid("rule", "document of %d bytes: at most %d", len(doc), MaxDocumentBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	var r Rule
	if err := dec.Decode(&r); err != nil {
		return Rule{}, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Rule{}, tenant.Invalid("rule", "data after the rule's object")
	}
	return r, nil
}

// ParseYAML reads a rule document in YAML, as ParseJSON does.
func ParseYAML(doc []byte) (Rule, error) {
	if len(doc) > MaxDocumentBytes {
		return Rule{}, tenant.Invalid("rule", "document of %d bytes: at most %d", len(doc), MaxDocumentBytes)
	}
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return Rule{}, tenant.Invalid("rule", "%v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return Rule{}, tenant.Invalid("rule", "must be a mapping of fields")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Rule{}, tenant.Invalid("rule", "%v", err)
	}
	return ParseJSON(b)
}

// jsonError names the field of a decoding error.
func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return tenant.Invalid(typeErr.Field, "must be %s, not %s", typeName(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return tenant.Invalid("rule", "not JSON: %v (at byte %d)", err, syntaxErr.Offset)
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		if field := strings.Trim(name, `"`); field != "" {
			return tenant.Invalid(field, "unknown field")
		}
		return tenant.Invalid("rule", "unknown field %s", name)
	}
	// A field's own UnmarshalJSON (Duration) fails without naming it: say what it says.
	return tenant.Invalid("rule", "%s", strings.TrimPrefix(msg, "json: "))
}

func typeName(kind string) string {
	switch kind {
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int64":
		return "a whole number"
	}
	return "a " + kind
}
