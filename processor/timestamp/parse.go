package timestamp

import (
	"time"

	"github.com/trolly-logs/trolly/internal/epoch"
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
	case epoch.IsDigit(v[0]) && len(v) > 4 && v[4] == '-':
		c, n, ok = scanISO(v)
	case epoch.IsDigit(v[0]) && len(v) > 4 && v[4] == '/':
		c, n, ok = scanNginx(v)
	case epoch.IsDigit(v[0]) && v[2] == '/':
		c, n, ok = scanCLF(v)
	case epoch.IsDigit(v[0]):
		ns, n, ok := scanEpoch(v, epoch.Auto)
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

// scanEpoch reads an epoch number with an optional fraction of its unit. Automatic units
// want at least 9 integer digits (1973 in seconds), so that short numbers are not taken
// for times.
func scanEpoch(v []byte, u epoch.Unit) (ns int64, n int, ok bool) {
	if u == epoch.Auto {
		if _, ok := digits(v, 0, 9); !ok {
			return 0, 0, false
		}
	}
	return epoch.Scan(v, u)
}
