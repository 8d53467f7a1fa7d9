package grok

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// source is one text being expanded, the pattern or a definition, with the map from its
// expansion back to it.
type source struct {
	def  string // "" for the pattern
	text string
	out  []byte
	segs []segment
	ncap int
	// opens are the offsets of the parentheses not yet closed.
	opens []int
}

// segment maps out[out:] (up to the next segment) back to the text.
type segment struct {
	out, src int
	// exact segments copy the text from src on; the others were generated for the text at
	// src, such as the expansion of a reference.
	exact bool
}

func (s *source) errorf(offset int, format string, args ...any) *CompileError {
	return &CompileError{Definition: s.def, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// srcOffset maps an offset in out to one in text.
func (s *source) srcOffset(o int) int {
	for i := len(s.segs) - 1; i >= 0; i-- {
		if g := s.segs[i]; g.out <= o {
			if g.exact {
				return min(g.src+o-g.out, len(s.text))
			}
			return g.src
		}
	}
	return 0
}

// copy appends text[from:to] unchanged.
func (s *source) copy(from, to int) {
	if n := len(s.segs); n == 0 || !s.segs[n-1].exact || s.segs[n-1].src+len(s.out)-s.segs[n-1].out != from {
		s.segs = append(s.segs, segment{out: len(s.out), src: from, exact: true})
	}
	s.out = append(s.out, s.text[from:to]...)
}

// emit appends parts, which stand for the text at src.
func (c *compiler) emit(s *source, src int, parts ...string) *CompileError {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if len(s.out)+n > MaxExpandedLen {
		return s.errorf(src, "expands to more than %d bytes", MaxExpandedLen)
	}
	if c.total += n; c.total > maxTotal {
		return s.errorf(src, "the patterns and definitions expand to more than %d bytes in all", maxTotal)
	}
	s.segs = append(s.segs, segment{out: len(s.out), src: src})
	for _, p := range parts {
		s.out = append(s.out, p...)
	}
	return nil
}

// expand rewrites s.text into s.out for Go's regexp: references are replaced by their
// expansion, named groups get generated names, and plain groups stop capturing.
func (c *compiler) expand(s *source) *CompileError {
	t := s.text
	if len(t) > MaxPatternLen {
		return s.errorf(MaxPatternLen, "longer than %d bytes", MaxPatternLen)
	}
	if !utf8.ValidString(t) {
		return s.errorf(firstInvalidUTF8(t), "invalid UTF-8")
	}
	for i := 0; i < len(t); {
		var next int
		var err *CompileError
		switch t[i] {
		case '\\':
			next, err = c.escape(s, i)
		case '[':
			next, err = s.class(i)
		case '(':
			next, err = c.open(s, i)
		case ')':
			if len(s.opens) == 0 {
				return s.errorf(i, "unmatched )")
			}
			s.opens = s.opens[:len(s.opens)-1]
			s.copy(i, i+1)
			next = i + 1
		case '%':
			if strings.HasPrefix(t[i:], "%{") {
				next, err = c.reference(s, i)
				break
			}
			s.copy(i, i+1)
			next = i + 1
		default:
			next = len(t)
			if j := strings.IndexAny(t[i:], `\[()%`); j >= 0 {
				next = i + j
			}
			s.copy(i, next)
		}
		if err != nil {
			return err
		}
		i = next
	}
	if n := len(s.opens); n > 0 {
		return s.errorf(s.opens[n-1], "missing )")
	}
	return nil
}

// escape copies a backslash escape, or a \Q...\E quote.
func (c *compiler) escape(s *source, i int) (int, *CompileError) {
	t := s.text
	switch {
	case i+1 == len(t):
		return 0, s.errorf(i, "trailing backslash")
	case t[i+1] != 'Q':
		s.copy(i, i+2)
		return i + 2, nil
	}
	end := strings.Index(t[i+2:], `\E`)
	if end < 0 {
		// Close the quote, or it would swallow the parenthesis around the expansion.
		s.copy(i, len(t))
		return len(t), c.emit(s, len(t), `\E`)
	}
	end += i + 2 + len(`\E`)
	s.copy(i, end)
	return end, nil
}

// class copies a character class; references are not expanded inside one.
func (s *source) class(i int) (int, *CompileError) {
	t := s.text
	j := i + 1
	if j < len(t) && t[j] == '^' {
		j++
	}
	for first := true; j < len(t); first = false {
		switch {
		case t[j] == ']' && !first:
			s.copy(i, j+1)
			return j + 1, nil
		case t[j] == '\\':
			if j+1 == len(t) {
				return 0, s.errorf(j, "trailing backslash")
			}
			j += 2
		case strings.HasPrefix(t[j:], "[:") && strings.Contains(t[j+2:], ":]"):
			j += 2 + strings.Index(t[j+2:], ":]") + 2
		default:
			j++
		}
	}
	return 0, s.errorf(i, "missing ] to close the character class")
}

// open handles '(': a named group becomes a generated capture, a plain group stops
// capturing, and the Perl groups RE2 lacks get a clear error.
func (c *compiler) open(s *source, i int) (int, *CompileError) {
	rest := s.text[i+1:]
	var unsupported string
	switch {
	case strings.HasPrefix(rest, "?P<"):
		return c.namedGroup(s, i, i+len("(?P<"))
	case strings.HasPrefix(rest, "?<=") || strings.HasPrefix(rest, "?<!"):
		unsupported = "lookbehind"
	case strings.HasPrefix(rest, "?<"):
		return c.namedGroup(s, i, i+len("(?<"))
	case strings.HasPrefix(rest, "?=") || strings.HasPrefix(rest, "?!"):
		unsupported = "lookahead"
	case strings.HasPrefix(rest, "?>"):
		unsupported = "an atomic group"
	case strings.HasPrefix(rest, "?P=") || strings.HasPrefix(rest, "?P>"):
		unsupported = "a back reference"
	case strings.HasPrefix(rest, "?#"):
		unsupported = "a comment group"
	case strings.HasPrefix(rest, "?"): // flags
		s.copy(i, i+1)
		s.opens = append(s.opens, i)
		return i + 1, nil
	default:
		s.opens = append(s.opens, i)
		return i + 1, c.emit(s, i, "(?:")
	}
	return 0, s.errorf(i, "%s is not supported by RE2, the engine that guarantees linear time", unsupported)
}

// namedGroup reads (?<field>, (?P<field> or (?<field:type>; the field spec starts at start.
func (c *compiler) namedGroup(s *source, i, start int) (int, *CompileError) {
	t := s.text
	j := start
	for j < len(t) && t[j] != '>' {
		if t[j] == '(' { // a layout, which may hold '>'
			k := strings.IndexByte(t[j:], ')')
			if k < 0 {
				j = len(t)
				break
			}
			j += k
		}
		j++
	}
	if j >= len(t) {
		return 0, s.errorf(i, "missing > to end the group name")
	}
	capt, serr := parseCapture(t[start:j])
	if serr != nil {
		return 0, s.errorf(start+serr.offset, "%s", serr.msg)
	}
	if err := c.addCaptures(s, i, 1); err != nil {
		return 0, err
	}
	s.opens = append(s.opens, i)
	return j + 1, c.emit(s, i, c.newCapture(capt))
}

// reference expands %{NAME}, %{NAME:field} or %{NAME:field:type} at i.
func (c *compiler) reference(s *source, i int) (int, *CompileError) {
	t := s.text
	end := strings.IndexByte(t[i+2:], '}')
	if end < 0 {
		return 0, s.errorf(i, "missing } to close %%{")
	}
	end += i + 2
	name, spec, hasSpec := strings.Cut(t[i+2:end], ":")
	if name == "" {
		return 0, s.errorf(i+2, "missing pattern name after %%{")
	}
	for k := range len(name) {
		if !isNameByte(name[k]) {
			return 0, s.errorf(i+2+k, "pattern name %q: only letters, digits and underscores", name)
		}
	}
	var capt capture
	if hasSpec {
		var serr *specError
		if capt, serr = parseCapture(spec); serr != nil {
			return 0, s.errorf(i+2+len(name)+1+serr.offset, "%s", serr.msg)
		}
	}
	e, err := c.lookup(s, name, i+2)
	if err != nil {
		return 0, err
	}
	open := "(?:"
	ncap := e.ncap
	if hasSpec {
		open = c.newCapture(capt)
		ncap++
	}
	if err := c.addCaptures(s, i, ncap); err != nil {
		return 0, err
	}
	return end + 1, c.emit(s, i, open, e.text, ")")
}

func (c *compiler) addCaptures(s *source, at, n int) *CompileError {
	if s.ncap += n; s.ncap > MaxCaptures {
		return s.errorf(at, "more than %d captures", MaxCaptures)
	}
	return nil
}

// newCapture records what a capture sets and returns the opening of its group.
func (c *compiler) newCapture(capt capture) string {
	c.caps = append(c.caps, capt)
	return "(?P<c" + strconv.Itoa(len(c.caps)-1) + ">"
}

func firstInvalidUTF8(t string) int {
	for i := 0; i < len(t); {
		r, n := utf8.DecodeRuneInString(t[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(t)
}
