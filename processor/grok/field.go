package grok

import (
	"fmt"
	"strings"
)

// Paths with a meaning of their own.
const (
	fieldTimestamp = "@timestamp" // the event's time: doc.SetTimestamp
	fieldMessage   = "message"    // the event's message: doc.SetMessage
)

const maxPathLen = 255

type kind uint8

const (
	kindString kind = iota
	kindInt
	kindFloat
	kindBool
	kindIP
	kindTime
)

// kinds maps the type names a pattern may write to their kinds.
func kindOf(name string) (kind, bool) {
	switch name {
	case "string":
		return kindString, true
	case "int", "long":
		return kindInt, true
	case "float", "double":
		return kindFloat, true
	case "bool", "boolean":
		return kindBool, true
	case "ip":
		return kindIP, true
	case "timestamp":
		return kindTime, true
	}
	return 0, false
}

// capture is what one capture group sets.
type capture struct {
	path     string
	typeName string // as written, for errors
	kind     kind
	layout   timeLayout // kindTime only
}

// specError is a mistake in a capture's field or type, at an offset in the text given to
// parseCapture.
type specError struct {
	offset int
	msg    string
}

// parseCapture reads "path" or "path:type" (the type may be "timestamp(layout)").
func parseCapture(spec string) (capture, *specError) {
	path, typ, hasType := strings.Cut(spec, ":")
	if err := checkPath(path); err != nil {
		return capture{}, err
	}
	c := capture{path: path, typeName: typ}
	if !hasType || typ == "" {
		if hasType {
			return capture{}, &specError{len(path) + 1, "missing type after the colon"}
		}
		c.typeName = "string"
		if path == fieldTimestamp {
			c.kind, c.typeName = kindTime, "timestamp"
		}
		return c, nil
	}
	typeAt := len(path) + 1
	name, layout, hasLayout := strings.Cut(typ, "(")
	k, ok := kindOf(name)
	if !ok {
		return capture{}, &specError{typeAt, fmt.Sprintf("unknown type %q (want string, int, long, float, "+
			"double, bool, boolean, ip or timestamp)", name)}
	}
	c.kind = k
	if hasLayout {
		layoutAt := typeAt + len(name) + 1
		body, ok := strings.CutSuffix(layout, ")")
		switch {
		case k != kindTime:
			return capture{}, &specError{typeAt, fmt.Sprintf("type %s takes no layout", name)}
		case !ok || strings.Contains(body, ")"):
			return capture{}, &specError{layoutAt, "the layout must end the type with ')' and hold no ')'"}
		}
		l, err := parseLayout(body)
		if err != nil {
			return capture{}, &specError{layoutAt, err.Error()}
		}
		c.layout = l
	}
	switch {
	case path == fieldTimestamp && k != kindTime:
		return capture{}, &specError{typeAt, "@timestamp takes type timestamp"}
	case path == fieldMessage && k != kindString:
		return capture{}, &specError{typeAt, "message takes type string"}
	}
	return c, nil
}

// checkPath accepts ECS dotted paths: segments of ASCII letters, digits, '_', '@' and '-'.
func checkPath(path string) *specError {
	if path == "" {
		return &specError{0, "empty field name"}
	}
	if len(path) > maxPathLen {
		return &specError{maxPathLen, fmt.Sprintf("field name longer than %d bytes", maxPathLen)}
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '.':
			if i == 0 || i == len(path)-1 || path[i-1] == '.' {
				return &specError{i, fmt.Sprintf("empty segment in field name %q", path)}
			}
		case !isFieldByte(c):
			return &specError{i, fmt.Sprintf("field name %q: %q is not a letter, digit, '_', '@', '-' or '.'", path, path[i:i+1])}
		}
	}
	return nil
}

func isFieldByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '@' || c == '-'
}

// isNameByte reports whether c may be part of a pattern name.
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
