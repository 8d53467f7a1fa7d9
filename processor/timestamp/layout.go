package timestamp

import (
	"fmt"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/internal/epoch"
)

// Format is one of the named formats, which are read by hand without allocating.
type Format uint8

// The named formats.
const (
	Auto    Format = iota // any named format, told apart by its shape, as Parse does
	RFC3339               // 2006-01-02T15:04:05.999999999Z07:00 and its ISO 8601 variants
	RFC3164               // Jan _2 15:04:05, with no year
	CLF                   // 02/Jan/2006:15:04:05 -0700
	Apache                // Mon Jan 02 15:04:05.000000 2006
	Java                  // 2006-01-02 15:04:05,000
	Nginx                 // 2006/01/02 15:04:05
	Unix                  // epoch seconds
	UnixMS                // epoch milliseconds
	UnixUS                // epoch microseconds
	UnixNS                // epoch nanoseconds
	numFormats
)

// Layout is the time format of a stream: a named Format or a Go layout. The zero Layout is
// Auto.
type Layout struct {
	format Format
	layout string // a Go layout, when not empty
	noYear bool   // the Go layout has no year: it is inferred
}

// names are the names of the formats, in their order.
var names = [numFormats]string{"auto", "rfc3339", "rfc3164", "clf", "apache", "java", "nginx",
	"unix", "unix_ms", "unix_us", "unix_ns"}

// ParseLayout returns the layout of a name (auto, rfc3339, rfc3164, clf, apache, java,
// nginx, unix, unix_ms, unix_us, unix_ns) or else of a Go layout such as
// "Mon, 02 Jan 2006 15:04:05 MST". Go layouts are read with time.ParseInLocation, which
// allocates; a Go layout without a year gets one as RFC 3164 times do.
func ParseLayout(s string) (Layout, error) {
	for i, n := range names {
		if s == n {
			return Layout{format: Format(i)}, nil
		}
	}
	if s == "" {
		return Layout{}, nil
	}
	// A probe unlike the reference time: a layout it formats to itself names no element.
	probe := time.Date(2017, 8, 9, 21, 48, 57, 0, time.UTC)
	if probe.Format(s) == s {
		return Layout{}, fmt.Errorf("time layout %q: neither a format name (%s) nor a Go layout",
			s, strings.Join(names[:], ", "))
	}
	if _, err := time.Parse(s, probe.Format(s)); err != nil {
		return Layout{}, fmt.Errorf("time layout %q: %w", s, err)
	}
	noYear := probe.Format(s) == probe.AddDate(1, 0, 0).Format(s) && probe.Format(s) == probe.AddDate(-1, 0, 0).Format(s)
	return Layout{layout: s, noYear: noYear}, nil
}

// String returns the format's name or the Go layout.
func (l Layout) String() string {
	if l.layout != "" {
		return l.layout
	}
	return l.format.String()
}

// String returns the format's name, as ParseLayout takes it.
func (f Format) String() string {
	if f >= numFormats {
		return fmt.Sprintf("Format(%d)", f)
	}
	return names[f]
}

// Parse reads v, all of it, in the layout; loc and ref are as for the package's Parse.
func (l Layout) Parse(v []byte, loc *time.Location, ref int64) (unixNano int64, ok bool) {
	if l.layout != "" {
		return parseGo(l, v, loc, ref)
	}
	return l.format.Parse(v, loc, ref)
}

// Parse reads v, all of it, in the format; loc and ref are as for the package's Parse.
func (f Format) Parse(v []byte, loc *time.Location, ref int64) (unixNano int64, ok bool) {
	ns, n, ok := f.ParsePrefix(v, loc, ref)
	return ns, ok && n == len(v)
}

// ParsePrefix reads a time in the format at the start of v, as in a log line, and says how
// many bytes it took.
func (f Format) ParsePrefix(v []byte, loc *time.Location, ref int64) (unixNano int64, n int, ok bool) {
	var c civil
	switch f {
	case Auto:
		return ParsePrefix(v, loc, ref)
	case Unix:
		return scanEpoch(v, epoch.Seconds)
	case UnixMS:
		return scanEpoch(v, epoch.Millis)
	case UnixUS:
		return scanEpoch(v, epoch.Micros)
	case UnixNS:
		return scanEpoch(v, epoch.Nanos)
	case RFC3339, Java:
		c, n, ok = scanISO(v)
		ok = ok && n > len("2006-01-02") // a time, not a date alone
	case RFC3164:
		c, n, ok = scanBSD(v)
	case CLF:
		c, n, ok = scanCLF(v)
	case Apache:
		c, n, ok = scanApache(v)
	case Nginx:
		c, n, ok = scanNginx(v)
	}
	if !ok {
		return 0, 0, false
	}
	ns, ok := resolve(&c, loc, ref)
	return ns, n, ok
}

func parseGo(l Layout, v []byte, loc *time.Location, ref int64) (int64, bool) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(l.layout, string(v), loc)
	if err != nil {
		return 0, false
	}
	if !l.noYear {
		return toNano(t.Unix(), int64(t.Nanosecond()))
	}
	c := civil{month: int(t.Month()), day: t.Day(), hour: t.Hour(), minute: t.Minute(),
		sec: t.Second(), nsec: t.Nanosecond()}
	if t.Location() != loc { // the layout had a zone
		_, c.offset = t.Zone()
		c.zoned = true
	}
	return c.inferYear(loc, ref)
}
