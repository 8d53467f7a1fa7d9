package sourcetype

import "github.com/trolly-logs/trolly/internal/jsonstr"

// JSON text helpers of the parsers that read or write JSON by hand: container lines, and the
// objects that logfmt and CEF hand to ecs.MergeJSON for keys read from the line.

// appendJSONString writes s as a JSON string.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	dst = appendJSONEscaped(dst, s, false)
	return append(dst, '"')
}

// appendJSONEscaped writes s as the inside of a JSON string. With keepEscapes, JSON escape
// sequences in s are kept as they are (s is the inside of a quoted logfmt value) and any
// other backslash is escaped. Invalid UTF-8 is left for ecs, which replaces it.
func appendJSONEscaped(dst, s []byte, keepEscapes bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && keepEscapes:
			if n := jsonstr.EscapeLen(s[i:]); n > 0 {
				dst = append(dst, s[i:i+n]...)
				i += n - 1
				continue
			}
			dst = append(dst, '\\', '\\')
		default:
			dst = appendJSONByte(dst, c)
		}
	}
	return dst
}

// appendJSONByte writes c as JSON string content.
func appendJSONByte(dst []byte, c byte) []byte {
	if c == '"' || c == '\\' || c < 0x20 {
		return jsonstr.AppendEscapedByte(dst, c)
	}
	return append(dst, c)
}

// unquoteJSONLike appends s with JSON's escapes decoded; a backslash that starts no escape
// stays, and a lone UTF-16 surrogate becomes U+FFFD.
func unquoteJSONLike(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if n := jsonstr.EscapeLen(s[i:]); n > 0 {
			i += n - 1
			continue
		}
		dst = jsonstr.AppendUnescaped(dst, s[start:i])
		dst = append(dst, '\\')
		start = i + 1
	}
	return jsonstr.AppendUnescaped(dst, s[start:])
}

// jsonScanner reads the few JSON shapes container lines need; values it skips are checked
// later by ecs.MergeJSON.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) skipSpace() int {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\r' || s.b[s.i] == '\n') {
		s.i++
	}
	return s.i
}

// eat consumes c after optional white space.
func (s *jsonScanner) eat(c byte) bool {
	if s.skipSpace() < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string and returns its raw inside; escaped says whether it holds escapes.
func (s *jsonScanner) str() (raw []byte, escaped, ok bool) {
	if !s.eat('"') {
		return nil, false, false
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return s.b[start : s.i-1], escaped, true
		case c == '\\':
			n := jsonstr.EscapeLen(s.b[s.i:])
			if n == 0 {
				return nil, false, false
			}
			escaped = true
			s.i += n
		case c < 0x20:
			return nil, false, false
		default:
			s.i++
		}
	}
	return nil, false, false
}

// value skips one value: a string, a balanced object or array, or a scalar's bytes.
func (s *jsonScanner) value() (raw []byte, ok bool) {
	start := s.skipSpace()
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if _, _, ok := s.str(); !ok {
				return nil, false
			}
			if depth == 0 {
				return s.b[start:s.i], true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return s.b[start:s.i], s.i > start
			}
			depth--
			if depth == 0 {
				s.i++
				return s.b[start:s.i], true
			}
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return s.b[start:s.i], s.i > start
			}
		}
		s.i++
	}
	return nil, false
}

func (s *jsonScanner) fail(want string) error {
	if s.i >= len(s.b) {
		return noMatch(nil, "docker: the line ends where %s was expected", want)
	}
	return noMatch(nil, "docker: unexpected %q at offset %d where %s was expected", s.b[s.i], s.i, want)
}
