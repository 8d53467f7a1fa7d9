package query

import (
	"time"
	"unicode/utf8"
)

// TimeField is the one field whose ranges take times.
const TimeField = "@timestamp"

// compare parses "op value" after a field: op is >, >=, < or <=, and the value follows it
// in the same word or after spaces.
func (p *parser) compare(field, word string, off int) (Node, error) {
	if !ValidField(field) {
		return nil, p.fail(off, "%q is not a field name", field)
	}
	op := word[:1]
	if len(word) > 1 && word[1] == '=' {
		op = word[:2]
	}
	v := word[len(op):]
	if v == "" {
		p.skipSpace()
		if p.eof() || p.src[p.pos] == '"' || p.src[p.pos] == '(' || p.src[p.pos] == ')' {
			return nil, p.fail(off, "%s %s needs a number or a time after it", field, op)
		}
		var err error
		if v, err = p.bareWord(); err != nil {
			return nil, err
		}
	}
	r := Range{Field: field}
	switch op {
	case ">":
		r.Min, r.MinExcl = v, true
	case ">=":
		r.Min = v
	case "<":
		r.Max, r.MaxExcl = v, true
	case "<=":
		r.Max = v
	}
	if err := p.checkBound(field, v, off); err != nil {
		return nil, err
	}
	return r, nil
}

// bracketRange parses [min TO max], each bracket '{' or '}' to leave its bound out, and
// '*' for an open bound. It starts on the opening bracket.
func (p *parser) bracketRange(field string) (Node, error) {
	start := p.pos
	r := Range{Field: field, MinExcl: p.src[p.pos] == '{'}
	p.pos++
	min, err := p.bound(field, start)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.keyword("TO", "to") {
		return nil, p.fail(p.pos, "a range is [min TO max]")
	}
	max, err := p.bound(field, start)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() || p.src[p.pos] != ']' && p.src[p.pos] != '}' {
		return nil, p.fail(start, "a range needs its closing ']' or '}'")
	}
	r.MaxExcl = p.src[p.pos] == '}'
	p.pos++
	if !p.eof() && !p.atSpace() && p.src[p.pos] != ')' {
		return nil, p.fail(p.pos, "expected a space after the range")
	}
	if min != "*" {
		r.Min = min
	}
	if max != "*" {
		r.Max = max
	}
	return r, nil
}

// bound reads one bound of a bracketed range.
func (p *parser) bound(field string, start int) (string, error) {
	p.skipSpace()
	off := p.pos
	for !p.eof() && !p.atSpace() {
		c := p.src[p.pos]
		if c == ']' || c == '}' || c == '(' || c == ')' || c == '"' {
			break
		}
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		p.pos += size
	}
	v := p.src[off:p.pos]
	if v == "" {
		return "", p.fail(start, "a range is [min TO max], with '*' for an open bound")
	}
	if v == "*" {
		return v, nil
	}
	return v, p.checkBound(field, v, off)
}

// checkBound accepts numbers, and on @timestamp only, times.
func (p *parser) checkBound(field, v string, off int) error {
	if field == TimeField {
		if _, ok := ParseTime(v); !ok {
			return p.fail(off, "%s ranges take times: RFC 3339 (2024-01-31T08:00:00Z) or a date (2024-01-31), got %q", field, v)
		}
		return nil
	}
	if !isDecimal(v) {
		if _, ok := ParseTime(v); ok {
			return p.fail(off, "ranges of %s take numbers; times compare on %s only", field, TimeField)
		}
		return p.fail(off, "ranges of %s take numbers, got %q", field, v)
	}
	return nil
}

// ParseTime reads a range bound of @timestamp: RFC 3339 with or without fractions and
// zone (UTC when none), or a date (midnight UTC).
func ParseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// isDecimal reports whether s matches ^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := digitsAt(s, i)
	if n == i {
		return false
	}
	i = n
	if i < len(s) && s[i] == '.' {
		if n = digitsAt(s, i+1); n == i+1 {
			return false
		}
		i = n
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if n = digitsAt(s, i); n == i {
			return false
		}
		i = n
	}
	return i == len(s)
}

func digitsAt(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
