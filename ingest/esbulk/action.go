package esbulk

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// action is an action line: the op and the raw _index and _id (nil when absent), which
// alias the line.
type action struct {
	op              Op
	index, id       []byte
	indexEsc, idEsc bool // the raw string holds escapes
}

// parseAction reads {"<op>":{<metadata>}}. It returns why the line is malformed, in
// Elasticsearch's words, or "".
func parseAction(line []byte) (action, string) {
	var a action
	if !json.Valid(line) {
		return a, "expected a JSON object"
	}
	// The line is valid JSON from here on, so the scanner only checks its shape.
	s := scanner{b: line}
	if s.ws() != '{' {
		return a, "expected START_OBJECT but found a value"
	}
	s.i++
	if s.ws() != '"' {
		return a, "expected FIELD_NAME but found [END_OBJECT]"
	}
	name, _ := s.str()
	switch string(name) {
	case "index":
		a.op = OpIndex
	case "create":
		a.op = OpCreate
	case "update":
		a.op = OpUpdate
	case "delete":
		a.op = OpDelete
	default:
		return a, "expected one of [create, delete, index, update] but found [" + string(name) + "]"
	}
	s.ws() // ':'
	s.i++
	if s.ws() != '{' {
		return a, "expected START_OBJECT but found a value after [" + string(name) + "]"
	}
	s.i++
	if msg := a.metadata(&s); msg != "" {
		return a, msg
	}
	if s.ws() != '}' {
		return a, "expected END_OBJECT but found [FIELD_NAME]: one action per line"
	}
	return a, ""
}

// metadata reads the fields of the action object up to and past its closing brace.
func (a *action) metadata(s *scanner) string {
	for {
		c := s.ws()
		if c == ',' {
			s.i++
			c = s.ws()
		}
		if c == '}' {
			s.i++
			return ""
		}
		key, _ := s.str()
		s.ws() // ':'
		s.i++
		isStr := s.ws() == '"'
		raw, esc := s.value()
		switch string(key) {
		case "_index", "_id":
			if string(raw) == "null" {
				continue // Logstash sends "_id":null
			}
			isIndex := string(key) == "_index"
			if !isStr && (isIndex || raw[0] == '{' || raw[0] == '[') {
				return "the [" + string(key) + "] must be a string"
			}
			if isIndex {
				a.index, a.indexEsc = raw, esc
			} else {
				a.id, a.idEsc = raw, esc
			}
		}
	}
}

// scanner walks a line already known to be valid JSON.
type scanner struct {
	b []byte
	i int
}

// ws skips white space and returns the byte at the cursor, 0 at the end.
func (s *scanner) ws() byte {
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return c
		}
	}
	return 0
}

// str reads the string at the cursor and returns its raw content and whether it has escapes.
func (s *scanner) str() ([]byte, bool) {
	s.i++ // opening quote
	start, esc := s.i, false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			esc = true
			s.i += 2
			continue
		case '"':
			s.i++
			return s.b[start : s.i-1], esc
		}
		s.i++
	}
	return s.b[start:], esc
}

// value skips the value at the cursor and returns it raw (a string without its quotes).
func (s *scanner) value() ([]byte, bool) {
	start := s.i
	switch s.b[s.i] {
	case '"':
		return s.str()
	case '{', '[':
		for depth := 0; s.i < len(s.b); {
			switch s.b[s.i] {
			case '"':
				s.str()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				break
			}
		}
	default:
		for s.i < len(s.b) && !strings.ContainsRune(",}] \t\r\n", rune(s.b[s.i])) {
			s.i++
		}
	}
	return s.b[start:s.i], false
}

// jsonString returns the text of a raw JSON string's content.
func jsonString(raw []byte, esc bool) string {
	if !esc {
		return string(raw)
	}
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return string(raw) // unreachable: the line was valid JSON
	}
	return s
}

// checkIndex returns why name is not a valid Elasticsearch index name, or "".
func checkIndex(name string) string {
	switch {
	case len(name) > 255:
		return "index name is too long, (" + strconv.Itoa(len(name)) + " > 255)"
	case name == "." || name == "..":
		return "must not be '.' or '..'"
	case strings.ContainsAny(name[:1], "-_+"):
		return "must not start with '_', '-', or '+'"
	case strings.ContainsAny(name, `\/*?"<>| ,#:`):
		return `must not contain the following characters [ , ", *, \, <, |, ,, >, /, ?, #, :]`
	case strings.ToLower(name) != name:
		return "must be lowercase"
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		return "must be valid UTF-8 without NUL"
	}
	return ""
}
