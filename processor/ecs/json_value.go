package ecs

import (
	"bytes"

	"github.com/trolly-logs/trolly/internal/jsonstr"
)

// array appends the array at p.pos to dst as compact JSON: strings re-escaped (valid
// UTF-8), objects written as Documents so their dotted keys expand like top-level ones.
func (p *jsonParser) array(dst []byte, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return dst, ErrTooDeep
	}
	p.pos++ // '['
	dst = append(dst, '[')
	if p.eat(']') {
		return append(dst, ']'), nil
	}
	for n := 0; ; n++ {
		if n > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = p.element(dst, depth); err != nil {
			return dst, err
		}
		if p.eat(',') {
			continue
		}
		if p.eat(']') {
			return append(dst, ']'), nil
		}
		return dst, p.syntaxError("where ',' or ']' was expected")
	}
}

func (p *jsonParser) element(dst []byte, depth int) ([]byte, error) {
	p.skipSpace()
	if p.pos == len(p.data) {
		return dst, p.syntaxError("")
	}
	switch p.data[p.pos] {
	case '[':
		return p.array(dst, depth+1)
	case '{':
		kid := p.kid(depth)
		if err := p.object(kid, nil, depth+1); err != nil {
			return dst, err
		}
		return kid.AppendJSON(dst), nil
	case '"':
		raw, escaped, err := p.scanString()
		if err != nil {
			return dst, err
		}
		if escaped {
			p.tmp = jsonstr.AppendUnescaped(p.tmp[:0], raw)
			raw = p.tmp
		}
		dst = append(dst, '"')
		dst = appendEscaped(dst, raw)
		return append(dst, '"'), nil
	}
	start := p.pos
	if err := p.scalar(); err != nil {
		return dst, err
	}
	return append(dst, p.data[start:p.pos]...), nil
}

// kid returns the reset Document for an object inside an array at depth.
func (p *jsonParser) kid(depth int) *Document {
	for len(p.kids) <= depth {
		p.kids = append(p.kids, &Document{})
	}
	k := p.kids[depth]
	k.Reset()
	return k
}

// skipValue checks the value at p.pos without keeping it (for error messages on non-objects).
func (p *jsonParser) skipValue() error {
	kid := p.kid(0)
	if _, err := p.element(kid.arena[:0], 1); err != nil {
		return err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return p.syntaxError("after the value")
	}
	return nil
}

// scalar checks a number or a literal at p.pos and moves past it.
func (p *jsonParser) scalar() error {
	rest := p.data[p.pos:]
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(rest, []byte(lit)) {
			p.pos += len(lit)
			return nil
		}
	}
	i := 0
	if i < len(rest) && rest[i] == '-' {
		i++
	}
	switch {
	case i < len(rest) && rest[i] == '0':
		i++
	case i < len(rest) && rest[i] >= '1' && rest[i] <= '9':
		i = digits(rest, i)
	default:
		return p.syntaxError("where a value was expected")
	}
	if i < len(rest) && rest[i] == '.' {
		if j := digits(rest, i+1); j > i+1 {
			i = j
		} else {
			p.pos += i + 1
			return p.syntaxError("in a number")
		}
	}
	if i < len(rest) && (rest[i] == 'e' || rest[i] == 'E') {
		i++
		if i < len(rest) && (rest[i] == '+' || rest[i] == '-') {
			i++
		}
		j := digits(rest, i)
		if j == i {
			p.pos += i
			return p.syntaxError("in a number")
		}
		i = j
	}
	p.pos += i
	return nil
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// scanString moves past the string at p.pos and returns its raw inside; escaped says
// whether it holds escape sequences (checked here, decoded by unescape).
func (p *jsonParser) scanString() (raw []byte, escaped bool, err error) {
	start := p.pos + 1
	for i := start; i < len(p.data); i++ {
		switch c := p.data[i]; {
		case c == '"':
			p.pos = i + 1
			return p.data[start:i:i], escaped, nil
		case c == '\\':
			escaped = true
			n := jsonstr.EscapeLen(p.data[i:])
			if n == 0 {
				p.pos = i
				return nil, false, p.syntaxError("in a string escape")
			}
			i += n - 1
		case c < 0x20:
			p.pos = i
			return nil, false, p.syntaxError("in a string")
		}
	}
	p.pos = len(p.data)
	return nil, false, p.syntaxError("")
}
