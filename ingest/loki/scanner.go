package loki

import "github.com/trolly-logs/trolly/internal/jsonstr"

// scanner walks JSON that encoding/json has already found valid, so it checks structure,
// not syntax.
type scanner struct {
	b []byte
	i int
	// arena holds unescaped strings. It is never grown in place, so slices of it stay
	// valid; a string that does not fit starts a new one.
	arena []byte
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// null consumes a null.
func (s *scanner) null() bool {
	if s.peek() == 'n' {
		s.i += len("null")
		return true
	}
	return false
}

// object calls fn with each key, positioned at its value, which fn must consume.
func (s *scanner) object(fn func(key []byte) error) error {
	s.i++ // {
	for {
		s.space()
		if s.peek() == '}' {
			s.i++
			return nil
		}
		if s.peek() == ',' {
			s.i++
			s.space()
		}
		key := s.str()
		s.space()
		s.i++ // :
		s.space()
		if err := fn(key); err != nil {
			return err
		}
	}
}

// array calls fn with each element's index, positioned at it; fn must consume it.
func (s *scanner) array(fn func(i int) error) error {
	s.i++ // [
	for i := 0; ; i++ {
		s.space()
		if s.peek() == ']' {
			s.i++
			return nil
		}
		if s.peek() == ',' {
			s.i++
			s.space()
		}
		if err := fn(i); err != nil {
			return err
		}
	}
}

// skip consumes one value.
func (s *scanner) skip() { s.i = jsonstr.Skip(s.b, s.i) }

// endString moves past the string at s.i and reports whether it has escapes.
func (s *scanner) endString() bool {
	var escaped bool
	s.i, escaped = jsonstr.EndString(s.b, s.i)
	return escaped
}

// str consumes the string at s.i and returns its content, unescaped.
func (s *scanner) str() []byte {
	start := s.i
	escaped := s.endString()
	raw := s.b[start+1 : s.i-1]
	if !escaped {
		return raw
	}
	if cap(s.arena)-len(s.arena) < len(raw) {
		s.arena = make([]byte, 0, max(len(raw), len(s.b)/2))
	}
	begin := len(s.arena)
	s.arena = jsonstr.AppendUnescaped(s.arena, raw)
	return s.arena[begin:len(s.arena):len(s.arena)]
}
