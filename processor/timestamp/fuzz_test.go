package timestamp

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stdLayouts are Go layouts that read some of the named formats; where one reads the same
// input, it must give the same time.
var stdLayouts = []string{
	time.RFC3339Nano,
	"02/Jan/2006:15:04:05 -0700",
	"2006/01/02 15:04:05",
	time.ANSIC,
	"Mon Jan 02 15:04:05 2006",
	"Jan _2 2006 15:04:05",
	"Jan 02 2006 15:04:05",
	time.DateTime,
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"2024-03-10T01:02:03.123456789+05:30", "2024-03-10 01:02:03,456", "2016-12-31T23:59:60Z",
		"2262-04-11T23:47:16.854775807Z", "1677-09-21T00:12:43.145224192Z", "2024-03-10 01:02:03 +0100",
		"Dec 10 06:55:46", "Jan  2 2006 15:04:05", "Feb 29 00:00:00.5", "Sun Dec 04 04:47:44 2005",
		"Wed Oct 11 14:32:52.123456 2000", "10/Oct/2000:13:55:36 -0700", "2024/03/10 01:02:03",
		"1700000000", "1700000000123.5", "9223372036854775807", "99999999999", "2024-02-30",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := []byte(s)
		ns, ok := Parse(v, time.UTC, ref)
		if ok {
			// The result round-trips through RFC 3339, which the package reads exactly.
			out := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
			back, ok := Parse([]byte(out), nil, ref)
			require.True(t, ok, "%q -> %s not read back", s, out)
			require.Equal(t, ns, back, "%q -> %s", s, out)
		}
		for _, layout := range stdLayouts {
			std, err := time.ParseInLocation(layout, s, time.UTC)
			if err != nil || !inRange(std) {
				continue
			}
			if layout == time.RFC3339Nano && strictRFC3339(s) {
				require.True(t, ok, "RFC 3339 %q rejected", s)
			}
			if ok {
				require.Equal(t, std.UnixNano(), ns, "%q as %q: %v", s, layout, time.Unix(0, ns).UTC())
			}
		}
		pns, n, pok := ParsePrefix(v, time.UTC, ref)
		require.Equal(t, ok, pok && n == len(v))
		if pok {
			require.Positive(t, n)
			again, ok := Parse(v[:n], time.UTC, ref)
			require.True(t, ok, "prefix %q of %q", v[:n], s)
			require.Equal(t, pns, again)
		}
		for _, name := range names {
			l, err := ParseLayout(name)
			require.NoError(t, err)
			if lns, ok := l.Parse(v, time.UTC, ref); ok {
				back, ok := Parse([]byte(time.Unix(0, lns).UTC().Format(time.RFC3339Nano)), nil, ref)
				require.True(t, ok)
				require.Equal(t, lns, back)
			}
		}
	})
}

func inRange(t time.Time) bool {
	return !t.Before(time.Unix(0, -1<<63)) && !t.After(time.Unix(0, 1<<63-1))
}

// strictRFC3339 tells RFC 3339 from what time.Parse also takes in its layout, such as
// one-digit hours or zone offsets of 60 minutes.
func strictRFC3339(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		strings.IndexByte(".Z+-", s[19]) < 0 {
		return false
	}
	if s[len(s)-1] == 'Z' {
		return true
	}
	zone := s[len(s)-6:]
	return (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' && zone[1:3] < "24" && zone[4:6] < "60"
}
