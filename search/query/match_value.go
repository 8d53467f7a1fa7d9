package query

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// valueTerm compares the values of one field.
type valueTerm struct {
	path, value string
	prefix      bool
	// cut is value up to a NUL: the index reads a prefix pattern as a C string.
	cut     string
	hasNUL  bool
	num     number
	isBool  bool
	inValue func(v []byte, isString bool) bool
}

func newValueTerm(t Term) matcher {
	v := &valueTerm{path: t.Field, value: t.Value, prefix: t.Prefix}
	v.cut, _, v.hasNUL = strings.Cut(t.Value, "\x00")
	if !t.Prefix {
		v.num = parseNumber(t.Value, true)
		v.isBool = t.Value == "true" || t.Value == "false"
	}
	v.inValue = v.matchValue
	return v
}

func (t *valueTerm) match(f Fields) bool { return f.AnyValue(t.path, t.inValue) }

func (t *valueTerm) matchValue(v []byte, isString bool) bool {
	switch {
	case isString && t.prefix:
		return t.hasPrefix(v)
	case isString:
		return sameText(v, t.value)
	case t.isBool:
		return string(v) == t.value
	case t.num.kind != notNumber:
		return t.num.equal(parseNumber(string(v), false))
	}
	return false
}

// hasPrefix matches as SQLite's GLOB 'value*' does, which stops reading both strings at a
// NUL.
func (t *valueTerm) hasPrefix(v []byte) bool {
	if !t.hasNUL {
		return len(v) >= len(t.value) && sameText(v[:len(t.value)], t.value) ||
			strings.ContainsRune(t.value, utf8.RuneError) && bytes.HasPrefix(sanitize(v), []byte(t.value))
	}
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return sameText(v, t.cut)
}

// sameText reports whether v, as the index stores it (invalid UTF-8 as U+FFFD), equals s.
func sameText(v []byte, s string) bool {
	if string(v) == s {
		return true
	}
	// A valid s without U+FFFD can equal v only byte for byte.
	return strings.ContainsRune(s, utf8.RuneError) && string(sanitize(v)) == s
}

// sanitize replaces each byte of v that is not valid UTF-8 with U+FFFD, as the documents
// are written. It allocates, and is only called for values that U+FFFD in a query may match.
func sanitize(v []byte) []byte {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); {
		r, size := decodeRune(v, i)
		out = utf8.AppendRune(out, r)
		i += size
	}
	return out
}

type numberKind uint8

const (
	notNumber numberKind = iota
	intNumber
	floatNumber
)

// number is a decimal number as SQLite reads it: an integer when it fits int64, else a
// float.
type number struct {
	kind numberKind
	i    int64
	f    float64
}

// parseNumber reads s as the index reads a number. A query value must be decimal digits
// with an optional sign, fraction and exponent; a JSON number of the event is valid JSON.
func parseNumber(s string, query bool) number {
	if query && !isDecimal(s) {
		return number{}
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return number{kind: intNumber, i: i}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return number{}
	}
	return number{kind: floatNumber, f: f}
}

// equal compares two numbers exactly, an integer with a float too, as SQLite does.
func (n number) equal(m number) bool {
	switch {
	case n.kind == notNumber || m.kind == notNumber:
		return false
	case n.kind == intNumber && m.kind == intNumber:
		return n.i == m.i
	case n.kind == floatNumber && m.kind == floatNumber:
		return n.f == m.f
	case n.kind == intNumber:
		return intEqualsFloat(n.i, m.f)
	}
	return intEqualsFloat(m.i, n.f)
}

func intEqualsFloat(i int64, f float64) bool {
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return false
	}
	return int64(f) == i
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
