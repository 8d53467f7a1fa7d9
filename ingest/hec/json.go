package hec

import "github.com/trolly-logs/trolly/internal/jsonstr"

// maxDepth bounds the nesting of a JSON value, so hostile input cannot exhaust the stack.
const maxDepth = 512

// syntaxError is malformed JSON at byte off of the body.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// scanner walks JSON values of buf in place, validating them as it goes; it never copies.
type scanner struct {
	buf []byte
	pos int
}

func (s *scanner) fail(msg string) error { return &syntaxError{off: s.pos, msg: msg} }

func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// next returns the next byte after white space, or 0 at the end.
func (s *scanner) next() byte {
	s.skipSpace()
	if s.pos == len(s.buf) {
		return 0
	}
	return s.buf[s.pos]
}

func (s *scanner) expect(c byte) error {
	if s.next() != c {
		if s.pos == len(s.buf) {
			return s.fail("unexpected end of JSON, expecting '" + string(c) + "'")
		}
		return s.fail("invalid character " + quoteByte(s.buf[s.pos]) + ", expecting '" + string(c) + "'")
	}
	s.pos++
	return nil
}

// value skips one value and returns its bounds and first byte.
func (s *scanner) value(depth int) (start, end int, kind byte, err error) {
	kind = s.next()
	start = s.pos
	switch {
	case kind == '{' || kind == '[':
		if depth >= maxDepth {
			return 0, 0, 0, s.fail("JSON nested too deeply")
		}
		err = s.container(kind, depth+1)
	case kind == '"':
		_, _, _, err = s.str()
	case kind == '-' || kind >= '0' && kind <= '9':
		err = s.number()
	case kind == 't':
		err = s.literal("true")
	case kind == 'f':
		err = s.literal("false")
	case kind == 'n':
		err = s.literal("null")
	case kind == 0:
		err = s.fail("unexpected end of JSON, expecting a value")
	default:
		err = s.fail("invalid character " + quoteByte(kind) + ", expecting a value")
	}
	return start, s.pos, kind, err
}

// container skips an object or an array whose opening byte is at s.pos.
func (s *scanner) container(open byte, depth int) error {
	s.pos++
	closing := byte(']')
	if open == '{' {
		closing = '}'
	}
	if s.next() == closing {
		s.pos++
		return nil
	}
	for {
		if open == '{' {
			if s.next() != '"' {
				return s.fail("expecting a string key")
			}
			if _, _, _, err := s.str(); err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
		}
		if _, _, _, err := s.value(depth); err != nil {
			return err
		}
		switch s.next() {
		case ',':
			s.pos++
		case closing:
			s.pos++
			return nil
		default:
			return s.fail("expecting ',' or '" + string(closing) + "'")
		}
	}
}

// str skips the string at s.pos and returns the bounds of its content (without quotes) and
// whether it holds escapes.
func (s *scanner) str() (start, end int, escaped bool, err error) {
	s.pos++
	start = s.pos
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			return start, s.pos - 1, escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return 0, 0, false, err
			}
		case c < 0x20:
			return 0, 0, false, s.fail("invalid control character in string")
		default:
			s.pos++
		}
	}
	return 0, 0, false, s.fail("unexpected end of JSON in string")
}

func (s *scanner) escape() error {
	if n := jsonstr.EscapeLen(s.buf[s.pos:]); n > 0 {
		s.pos += n
		return nil
	}
	switch {
	case s.pos+1 >= len(s.buf):
		return s.fail("unexpected end of JSON in string escape")
	case s.buf[s.pos+1] != 'u':
		return s.fail("invalid escape in string")
	case s.pos+6 > len(s.buf):
		return s.fail("unexpected end of JSON in \\u escape")
	}
	return s.fail("invalid \\u escape")
}

func (s *scanner) number() error {
	if s.buf[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(s.buf) && s.buf[s.pos] == '0':
		s.pos++
	case s.digits() == 0:
		return s.fail("invalid number")
	}
	if s.pos < len(s.buf) && s.buf[s.pos] == '.' {
		s.pos++
		if s.digits() == 0 {
			return s.fail("invalid number: no digits after the decimal point")
		}
	}
	if s.pos < len(s.buf) && (s.buf[s.pos] == 'e' || s.buf[s.pos] == 'E') {
		s.pos++
		if s.pos < len(s.buf) && (s.buf[s.pos] == '+' || s.buf[s.pos] == '-') {
			s.pos++
		}
		if s.digits() == 0 {
			return s.fail("invalid number: no digits in the exponent")
		}
	}
	return nil
}

func (s *scanner) digits() int {
	n := 0
	for s.pos < len(s.buf) && s.buf[s.pos] >= '0' && s.buf[s.pos] <= '9' {
		s.pos++
		n++
	}
	return n
}

func (s *scanner) literal(lit string) error {
	if len(s.buf)-s.pos < len(lit) || string(s.buf[s.pos:s.pos+len(lit)]) != lit {
		return s.fail("invalid literal, expecting " + lit)
	}
	s.pos += len(lit)
	return nil
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	const hex = "0123456789abcdef"
	return "byte 0x" + string([]byte{hex[c>>4], hex[c&15]})
}
