package query

import (
	"bytes"
	"math"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// wordClass is the regular expression class of word characters (IsWordRune).
const wordClass = `[\p{L}\p{Nd}_]`

// WildcardRegexp is the regular expression of a Wildcard term, which the engine and Match
// both evaluate on each value: in a text, each '*' stands for any run of word characters
// and the pattern stands at word boundaries, case ignored unless t.Case; in a field's
// value, each '*' stands for any characters and the pattern covers the whole value.
func WildcardRegexp(t Term) string {
	var b strings.Builder
	b.WriteString("(?s)")
	segs := strings.Split(t.Value, "*")
	if t.Field != "" && t.Field != "message" {
		b.WriteByte('^')
		for i, s := range segs {
			if i > 0 {
				b.WriteString(".*")
			}
			b.WriteString(regexp.QuoteMeta(s))
		}
		b.WriteByte('$')
		return b.String()
	}
	if !t.Case {
		b.WriteString("(?i)")
	}
	first := segs[0] == "" || IsWordRune([]rune(segs[0])[0])
	lastSeg := segs[len(segs)-1]
	last := lastSeg == "" || IsWordRune([]rune(lastSeg)[len([]rune(lastSeg))-1])
	if first {
		b.WriteString("(?:^|[^" + wordClass[1:len(wordClass)-1] + "])")
	}
	for i, s := range segs {
		if i > 0 {
			b.WriteString(wordClass + "*")
		}
		b.WriteString(regexp.QuoteMeta(s))
	}
	if last {
		b.WriteString("(?:$|[^" + wordClass[1:len(wordClass)-1] + "])")
	}
	return b.String()
}

// valueTerm compares the values of one field.
type valueTerm struct {
	path, value string
	prefixBytes []byte
	prefix      bool
	// fffd: the value holds U+FFFD, which stands for invalid bytes of the event
	fffd    bool
	re      *regexp.Regexp // a wildcard's
	inValue func(v []byte, isString, inArray bool) bool
}

func newValueTerm(t Term) matcher {
	v := &valueTerm{path: t.Field, value: t.Value, prefix: t.Prefix, prefixBytes: []byte(t.Value),
		fffd: strings.ContainsRune(t.Value, utf8.RuneError)}
	if t.Wildcard {
		v.re = regexp.MustCompile(WildcardRegexp(t))
	}
	v.inValue = v.matchValue
	return v
}

func (t *valueTerm) match(f Fields) bool { return f.AnyValue(t.path, t.inValue) }

func (t *valueTerm) matchValue(v []byte, isString, inArray bool) bool {
	switch {
	case inArray && !isString && (t.prefix || t.re != nil):
		return false // of an array, patterns compare strings
	case t.re != nil:
		return t.re.Match(v)
	case t.prefix:
		return bytes.HasPrefix(v, t.prefixBytes) ||
			t.fffd && bytes.HasPrefix(sanitize(v), t.prefixBytes)
	}
	return string(v) == t.value || t.fffd && string(sanitize(v)) == t.value
}

// sanitize replaces each byte of v that is not valid UTF-8 with U+FFFD, as the documents
// are written. It allocates, and is only called for values that U+FFFD in a query may match.
func sanitize(v []byte) []byte {
	return bytes.ToValidUTF8(v, []byte("\ufffd"))
}

// exists matches a non-empty value at path or inside it.
type exists struct {
	path, under string
	inValue     func(v []byte, isString, inArray bool) bool
	inText      func(path string, v []byte) bool
}

func newExists(path string) matcher {
	e := &exists{path: path, under: path + "."}
	e.inValue = func(v []byte, _, _ bool) bool { return len(v) > 0 }
	e.inText = func(p string, v []byte) bool { return len(v) > 0 && strings.HasPrefix(p, e.under) }
	return e
}

func (e *exists) match(f Fields) bool {
	return f.AnyValue(e.path, e.inValue) || f.AnyText(e.inText)
}

// NumberRegexp is what a value must look like to be compared as a number by a range: the
// engine reads more forms (1_000, 1KiB, 1h), which ranges leave out.
const NumberRegexp = `^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`

var numberRe = regexp.MustCompile(NumberRegexp)

// Bounds returns the inclusive bounds of a numeric range; ok is false for bounds that are
// no numbers. An open bound is an infinity.
func Bounds(r Range) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(-1), math.Inf(1)
	if r.Min != "" {
		f, err := strconv.ParseFloat(r.Min, 64)
		if err != nil || !isDecimal(r.Min) {
			return 0, 0, false
		}
		if lo = f; r.MinExcl {
			lo = math.Nextafter(f, math.Inf(1))
		}
	}
	if r.Max != "" {
		f, err := strconv.ParseFloat(r.Max, 64)
		if err != nil || !isDecimal(r.Max) {
			return 0, 0, false
		}
		if hi = f; r.MaxExcl {
			hi = math.Nextafter(f, math.Inf(-1))
		}
	}
	return lo, hi, true
}

// TimeBounds returns the bounds of a range of @timestamp, as [from, to).
func TimeBounds(r Range) (from, to time.Time, ok bool) {
	from, to = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	if r.Min != "" {
		t, ok := ParseTime(r.Min)
		if !ok {
			return from, to, false
		}
		if from = t; r.MinExcl {
			from = t.Add(time.Nanosecond)
		}
	}
	if r.Max != "" {
		t, ok := ParseTime(r.Max)
		if !ok {
			return from, to, false
		}
		if to = t; !r.MaxExcl {
			to = t.Add(time.Nanosecond)
		}
	}
	return from, to, true
}

// rangeTerm compares the single values of a field with bounds.
type rangeTerm struct {
	path     string
	lo, hi   float64
	from, to time.Time // of @timestamp
	inValue  func(v []byte, isString, inArray bool) bool
}

func newRangeTerm(r Range) matcher {
	t := &rangeTerm{path: r.Field}
	var ok bool
	if r.Field == TimeField {
		if t.from, t.to, ok = TimeBounds(r); !ok {
			return constant(false)
		}
		t.inValue = t.matchTime
	} else {
		if t.lo, t.hi, ok = Bounds(r); !ok {
			return constant(false)
		}
		t.inValue = t.matchNumber
	}
	return t
}

func (t *rangeTerm) match(f Fields) bool { return f.AnyValue(t.path, t.inValue) }

func (t *rangeTerm) matchNumber(v []byte, _, inArray bool) bool {
	if inArray || !numberRe.Match(v) {
		return false
	}
	f, err := strconv.ParseFloat(string(v), 64)
	return err == nil && f >= t.lo && f <= t.hi
}

func (t *rangeTerm) matchTime(v []byte, isString, inArray bool) bool {
	if inArray || !isString {
		return false
	}
	ts, err := time.Parse(time.RFC3339Nano, string(v))
	return err == nil && !ts.Before(t.from) && ts.Before(t.to)
}

// ipTerm matches IP addresses within a CIDR block.
type ipTerm struct {
	path    string
	v4      bool
	lo, hi  [16]byte
	inValue func(v []byte, isString, inArray bool) bool
}

func newIPTerm(r IPRange) matcher {
	p, err := netip.ParsePrefix(r.CIDR)
	if err != nil {
		return constant(false)
	}
	t := &ipTerm{path: r.Field, v4: p.Addr().Is4()}
	t.lo, t.hi = PrefixBounds(p)
	t.inValue = t.matchValue
	return t
}

// PrefixBounds returns the first and last address of p, in their 16-byte form.
func PrefixBounds(p netip.Prefix) (lo, hi [16]byte) {
	p = p.Masked()
	lo = p.Addr().As16()
	hi = lo
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	for i := bits; i < 128; i++ {
		hi[i/8] |= 1 << (7 - i%8)
	}
	return lo, hi
}

func (t *ipTerm) match(f Fields) bool { return f.AnyValue(t.path, t.inValue) }

func (t *ipTerm) matchValue(v []byte, isString, inArray bool) bool {
	if t.v4 {
		if inArray && !isString {
			return false
		}
		a, ok := ParseIPv4(string(v))
		return ok && a >= be32(t.lo[12:]) && a <= be32(t.hi[12:])
	}
	if inArray || len(v) < 2 || len(v) > 45 {
		return false
	}
	a, err := netip.ParseAddr(string(v))
	if err != nil {
		return false
	}
	b := a.As16()
	return bytes.Compare(b[:], t.lo[:]) >= 0 && bytes.Compare(b[:], t.hi[:]) <= 0
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// ParseIPv4 reads a dotted IPv4 address as the engine does: four numbers of one to three
// digits (leading zeros allowed) up to 255.
func ParseIPv4(s string) (uint32, bool) {
	if len(s) < len("1.1.1.1") || len(s) > len("255.255.255.255") {
		return 0, false
	}
	var a uint32
	for i := range 4 {
		end := strings.IndexByte(s, '.')
		if i == 3 {
			end = len(s)
		}
		if end <= 0 || end > 3 {
			return 0, false
		}
		n := 0
		for _, c := range []byte(s[:end]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		if n > 255 {
			return 0, false
		}
		a = a<<8 | uint32(n)
		if i < 3 {
			s = s[end+1:]
		}
	}
	return a, true
}
