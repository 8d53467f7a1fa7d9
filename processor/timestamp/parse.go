package timestamp

import (
	"math"
	"time"
)

// Parse reads v as a time in any of the named formats, which it tells apart by their shape:
// RFC 3339 and ISO 8601 (Java and log4j times among them), RFC 3164, Apache error logs, the
// common log format, nginx error logs, and epoch numbers of at least 9 digits, whose unit
// (seconds, milliseconds, microseconds or nanoseconds) follows from their size. A time
// without a zone is in loc (nil means UTC); a time without a year takes the year that puts it
// nearest ref (Unix nanoseconds, normally the receive time), unless that is more than a
// month ahead of ref. The whole of v must be the time. It does not allocate.
func Parse(v []byte, loc *time.Location, ref int64) (unixNano int64, ok bool) {
	ns, n, ok := ParsePrefix(v, loc, ref)
	return ns, ok && n == len(v)
}

// ParsePrefix is Parse for a time at the start of v, as in a log line; n is the number of
// bytes the time takes.
func ParsePrefix(v []byte, loc *time.Location, ref int64) (unixNano int64, n int, ok bool) {
	if len(v) < 3 {
		return 0, 0, false
	}
	var c civil
	switch {
	case isDigit(v[0]) && len(v) > 4 && v[4] == '-':
		c, n, ok = scanISO(v)
	case isDigit(v[0]) && len(v) > 4 && v[4] == '/':
		c, n, ok = scanNginx(v)
	case isDigit(v[0]) && v[2] == '/':
		c, n, ok = scanCLF(v)
	case isDigit(v[0]):
		ns, n, ok := scanEpoch(v, unitAuto)
		return ns, n, ok
	case month(v, 0) != 0:
		c, n, ok = scanBSD(v)
	default:
		c, n, ok = scanApache(v)
	}
	if !ok {
		return 0, 0, false
	}
	ns, ok := resolve(&c, loc, ref)
	return ns, n, ok
}

// resolve turns written fields into Unix nanoseconds, inferring a missing year.
func resolve(c *civil, loc *time.Location, ref int64) (int64, bool) {
	if c.noYear {
		return c.inferYear(loc, ref)
	}
	return c.unixNano(loc)
}

// unit is the size of one epoch tick in nanoseconds; unitAuto picks it from the number.
type unit int64

const (
	unitAuto unit = 0
	unitS    unit = unit(time.Second)
	unitMS   unit = unit(time.Millisecond)
	unitUS   unit = unit(time.Microsecond)
	unitNS   unit = 1
)

// autoUnit picks the unit of an epoch number by its size: below 1e11 seconds (up to the
// year 5138), then milliseconds, microseconds and nanoseconds by factors of a thousand.
func autoUnit(x uint64) unit {
	switch {
	case x < 1e11:
		return unitS
	case x < 1e14:
		return unitMS
	case x < 1e17:
		return unitUS
	}
	return unitNS
}

// scanEpoch reads an epoch number with an optional fraction of its unit. Automatic units
// want at least 9 integer digits (1973 in seconds), so that short numbers are not taken
// for times.
func scanEpoch(v []byte, u unit) (ns int64, n int, ok bool) {
	var x uint64
	for n < len(v) && isDigit(v[n]) {
		if n == 19 {
			return 0, 0, false
		}
		x = x*10 + uint64(v[n]-'0')
		n++
	}
	if n == 0 || (u == unitAuto && n < 9) {
		return 0, 0, false
	}
	var frac int
	if n+1 < len(v) && v[n] == '.' && isDigit(v[n+1]) {
		frac, n = fraction(v, n+1)
	}
	if u == unitAuto {
		u = autoUnit(x)
	}
	if x > uint64(math.MaxInt64/int64(u)) {
		return 0, 0, false
	}
	ns = int64(x) * int64(u)
	add := int64(frac) / (int64(time.Second) / int64(u)) // the fraction in nanoseconds
	if ns > math.MaxInt64-add {
		return 0, 0, false
	}
	return ns + add, n, true
}
