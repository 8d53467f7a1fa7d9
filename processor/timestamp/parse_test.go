package timestamp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ref is a receive time for the tests: 2024-05-01 12:00 UTC.
var ref = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano()

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func date(y int, m time.Month, d, h, mi, s, ns int, loc *time.Location) time.Time {
	return time.Date(y, m, d, h, mi, s, ns, loc)
}

func TestParse(t *testing.T) {
	utc := time.UTC
	paris := mustLoc(t, "Europe/Paris")
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		want time.Time // zero: rejected
	}{
		{"rfc3339 Z", "2024-03-10T01:02:03Z", nil, date(2024, 3, 10, 1, 2, 3, 0, utc)},
		{"rfc3339 nano", "2024-03-10T01:02:03.123456789Z", nil, date(2024, 3, 10, 1, 2, 3, 123456789, utc)},
		{"rfc3339 long fraction", "2024-03-10T01:02:03.1234567891234Z", nil, date(2024, 3, 10, 1, 2, 3, 123456789, utc)},
		{"rfc3339 offset", "2024-03-10T01:02:03.5+05:30", nil, date(2024, 3, 9, 19, 32, 3, 500000000, utc)},
		{"rfc3339 negative offset", "2024-03-10T01:02:03-07:00", nil, date(2024, 3, 10, 8, 2, 3, 0, utc)},
		{"lowercase t and z", "2024-03-10t01:02:03z", nil, date(2024, 3, 10, 1, 2, 3, 0, utc)},
		{"offset hhmm", "2024-03-10T01:02:03+0200", nil, date(2024, 3, 9, 23, 2, 3, 0, utc)},
		{"offset hh", "2024-03-10T01:02:03+02", nil, date(2024, 3, 9, 23, 2, 3, 0, utc)},
		{"space separator", "2024-03-10 01:02:03", nil, date(2024, 3, 10, 1, 2, 3, 0, utc)},
		{"space then offset", "2024-03-10 01:02:03 +0100", nil, date(2024, 3, 10, 0, 2, 3, 0, utc)},
		{"no zone takes loc", "2024-03-10T01:02:03", paris, date(2024, 3, 10, 1, 2, 3, 0, paris)},
		{"written zone beats loc", "2024-03-10T01:02:03Z", paris, date(2024, 3, 10, 1, 2, 3, 0, utc)},
		{"no seconds", "2024-03-10T01:02Z", nil, date(2024, 3, 10, 1, 2, 0, 0, utc)},
		{"date only", "2024-03-10", nil, date(2024, 3, 10, 0, 0, 0, 0, utc)},
		{"leap second", "2016-12-31T23:59:60Z", nil, date(2017, 1, 1, 0, 0, 0, 0, utc)},
		{"leap day", "2024-02-29T00:00:00Z", nil, date(2024, 2, 29, 0, 0, 0, 0, utc)},
		{"leap day 2000", "2000-02-29T00:00:00Z", nil, date(2000, 2, 29, 0, 0, 0, 0, utc)},
		{"no leap day 2023", "2023-02-29T00:00:00Z", nil, time.Time{}},
		{"no leap day 1900", "1900-02-29T00:00:00Z", nil, time.Time{}},
		{"april 31", "2024-04-31T00:00:00Z", nil, time.Time{}},
		{"hour 24", "2024-03-10T24:00:00Z", nil, time.Time{}},
		{"minute 60", "2024-03-10T23:60:00Z", nil, time.Time{}},
		{"leap second only in RFC 3339", "Dec 31 23:59:60", nil, time.Time{}},
		{"second 61", "2024-03-10T23:59:61Z", nil, time.Time{}},
		{"offset minutes 60", "2024-03-10T01:02:03+01:60", nil, time.Time{}},
		{"trailing junk", "2024-03-10T01:02:03Zx", nil, time.Time{}},
		{"T without time", "2024-03-10T", nil, time.Time{}},
		{"year zero is no missing year", "0000-01-01T00:00:00Z", nil, time.Time{}},
		{"clf year zero", "10/Oct/0000:00:00:00 +0000", nil, time.Time{}},
		{"rfc3164 year zero", "Jan  2 0000 15:04:05", nil, time.Time{}},
		{"beyond nanoseconds", "2263-01-01T00:00:00Z", nil, time.Time{}},
		{"before nanoseconds", "1677-01-01T00:00:00Z", nil, time.Time{}},
		{"last nanosecond year", "2262-04-11T23:47:16.854775807Z", nil, time.Unix(0, 1<<63-1)},
		{"first nanosecond", "1677-09-21T00:12:43.145224192Z", nil, time.Unix(0, -1<<63)},
		{"one before first", "1677-09-21T00:12:43.145224191Z", nil, time.Time{}},

		{"java", "2024-03-10 01:02:03,456", nil, date(2024, 3, 10, 1, 2, 3, 456000000, utc)},
		{"log4j iso", "2024-03-10T01:02:03,456", ny, date(2024, 3, 10, 1, 2, 3, 456000000, ny)},
		{"nginx", "2024/03/10 01:02:03", nil, date(2024, 3, 10, 1, 2, 3, 0, utc)},
		{"nginx in loc", "2024/07/10 01:02:03", paris, date(2024, 7, 10, 1, 2, 3, 0, paris)},
		{"nginx bad day", "2024/02/30 01:02:03", nil, time.Time{}},
		{"clf", "10/Oct/2000:13:55:36 -0700", nil, date(2000, 10, 10, 20, 55, 36, 0, utc)},
		{"clf east", "01/Jan/2024:00:30:00 +0530", nil, date(2023, 12, 31, 19, 0, 0, 0, utc)},
		{"clf without zone", "10/Oct/2000:13:55:36", nil, time.Time{}},
		{"clf colon zone", "10/Oct/2000:13:55:36 -07:00", nil, time.Time{}},
		{"apache", "Sun Dec 04 04:47:44 2005", nil, date(2005, 12, 4, 4, 47, 44, 0, utc)},
		{"apache fraction", "Wed Oct 11 14:32:52.123456 2000", paris, date(2000, 10, 11, 14, 32, 52, 123456000, paris)},
		{"ansic padded day", "Mon Jan  2 15:04:05 2006", nil, date(2006, 1, 2, 15, 4, 5, 0, utc)},
		{"apache no year", "Sun Dec 04 04:47:44", nil, time.Time{}},
		{"apache bad weekday", "Sux Dec 04 04:47:44 2005", nil, time.Time{}},

		{"rfc3164", "Apr 30 10:00:00", nil, date(2024, 4, 30, 10, 0, 0, 0, utc)},
		{"rfc3164 space padded", "Jan  2 15:04:05", nil, date(2024, 1, 2, 15, 4, 5, 0, utc)},
		{"rfc3164 unpadded", "Jan 2 15:04:05", nil, date(2024, 1, 2, 15, 4, 5, 0, utc)},
		{"rfc3164 zero padded", "Jan 02 15:04:05", nil, date(2024, 1, 2, 15, 4, 5, 0, utc)},
		{"rfc3164 fraction", "Jan  2 15:04:05.250", nil, date(2024, 1, 2, 15, 4, 5, 250000000, utc)},
		{"rfc3164 year", "Jan  2 2006 15:04:05", nil, date(2006, 1, 2, 15, 4, 5, 0, utc)},
		{"rfc3164 in loc", "Jan  2 15:04:05", ny, date(2024, 1, 2, 15, 4, 5, 0, ny)},
		{"rfc3164 within a month ahead", "May 20 00:00:00", nil, date(2024, 5, 20, 0, 0, 0, 0, utc)},
		{"rfc3164 far ahead is last year", "Dec 24 00:00:00", nil, date(2023, 12, 24, 0, 0, 0, 0, utc)},
		{"rfc3164 feb 29 looks back", "Feb 29 00:00:00", nil, date(2024, 2, 29, 0, 0, 0, 0, utc)},
		{"rfc3164 lowercase month", "jan  2 15:04:05", nil, time.Time{}},
		{"rfc3164 day 0", "Jan  0 15:04:05", nil, time.Time{}},
		{"rfc3164 no seconds", "Jan  2 15:04", nil, time.Time{}},

		{"epoch seconds", "1700000000", nil, time.Unix(1700000000, 0)},
		{"epoch seconds fraction", "1700000000.25", nil, time.Unix(1700000000, 250000000)},
		{"epoch ms", "1700000000123", nil, time.Unix(1700000000, 123000000)},
		{"epoch us", "1700000000123456", nil, time.Unix(1700000000, 123456000)},
		{"epoch ns", "1700000000123456789", nil, time.Unix(1700000000, 123456789)},
		{"epoch too short", "12345678", nil, time.Time{}},
		{"epoch 20 digits", "17000000001234567890", nil, time.Time{}},
		{"epoch ns overflow", "9999999999999999999", nil, time.Time{}},
		{"epoch seconds past 2262", "99999999999", nil, time.Time{}},

		{"empty", "", nil, time.Time{}},
		{"word", "yesterday", nil, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, ok := Parse([]byte(tt.in), tt.loc, ref)
			if tt.want.IsZero() {
				require.False(t, ok, "accepted %q as %v", tt.in, time.Unix(0, ns).UTC())
				return
			}
			require.True(t, ok, "rejected %q", tt.in)
			require.Equal(t, tt.want.UTC().Format(time.RFC3339Nano), time.Unix(0, ns).UTC().Format(time.RFC3339Nano))
			require.Equal(t, tt.want.UnixNano(), ns)
		})
	}
}

// TestYearInference moves the receive time around New Year and a leap day.
func TestYearInference(t *testing.T) {
	tests := []struct {
		name, in  string
		ref, want time.Time
	}{
		{"late line after new year", "Dec 31 23:59:58", date(2025, 1, 1, 0, 0, 2, 0, time.UTC), date(2024, 12, 31, 23, 59, 58, 0, time.UTC)},
		{"early clock before new year", "Jan  1 00:00:05", date(2024, 12, 31, 23, 59, 50, 0, time.UTC), date(2025, 1, 1, 0, 0, 5, 0, time.UTC)},
		{"same day", "Jun 15 08:00:00", date(2024, 6, 15, 9, 0, 0, 0, time.UTC), date(2024, 6, 15, 8, 0, 0, 0, time.UTC)},
		{"a month ahead is this year", "Jul 14 00:00:00", date(2024, 6, 15, 0, 0, 0, 0, time.UTC), date(2024, 7, 14, 0, 0, 0, 0, time.UTC)},
		{"two months ahead is last year", "Aug 15 00:00:00", date(2024, 6, 15, 0, 0, 0, 0, time.UTC), date(2023, 8, 15, 0, 0, 0, 0, time.UTC)},
		{"feb 29 in a common year", "Feb 29 12:00:00", date(2027, 3, 1, 0, 0, 0, 0, time.UTC), date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"feb 29 after a leap year", "Feb 29 12:00:00", date(2025, 1, 10, 0, 0, 0, 0, time.UTC), date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"year boundary in the stream's zone", "Jan  1 00:30:00", date(2024, 12, 31, 23, 10, 0, 0, time.UTC), date(2025, 1, 1, 0, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, ok := Parse([]byte(tt.in), time.UTC, tt.ref.UnixNano())
			require.True(t, ok)
			require.Equal(t, tt.want.UnixNano(), ns, "got %v", time.Unix(0, ns).UTC())
		})
	}
	t.Run("zone decides the reference year", func(t *testing.T) {
		tokyo := mustLoc(t, "Asia/Tokyo")
		// 2024-12-31 16:00 UTC is already 2025-01-01 01:00 in Tokyo.
		r := date(2024, 12, 31, 16, 0, 0, 0, time.UTC).UnixNano()
		ns, ok := Parse([]byte("Jan  1 00:59:00"), tokyo, r)
		require.True(t, ok)
		require.Equal(t, date(2025, 1, 1, 0, 59, 0, 0, tokyo).UnixNano(), ns)
	})
}

// TestDST checks times without a zone across the changes of daylight saving time.
func TestDST(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-03-31 01:59:59", date(2024, 3, 31, 0, 59, 59, 0, time.UTC)}, // CET
		{"2024-03-31 03:00:00", date(2024, 3, 31, 1, 0, 0, 0, time.UTC)},   // CEST
		{"2024-07-01 12:00:00", date(2024, 7, 1, 10, 0, 0, 0, time.UTC)},
		{"2024-10-27 03:00:00", date(2024, 10, 27, 2, 0, 0, 0, time.UTC)}, // CET again
		{"2024-12-01 12:00:00", date(2024, 12, 1, 11, 0, 0, 0, time.UTC)},
		{"Jul  1 12:00:00", date(2023, 7, 1, 10, 0, 0, 0, time.UTC)}, // ref May 2024: July is last year's
		{"2024/07/01 12:00:00", date(2024, 7, 1, 10, 0, 0, 0, time.UTC)},
	}
	// The standard library agrees on the times with a year.
	for _, tt := range tests[:5] {
		std, err := time.ParseInLocation(time.DateTime, tt.in, paris)
		require.NoError(t, err)
		require.Equal(t, tt.want.UnixNano(), std.UnixNano(), tt.in)
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ns, ok := Parse([]byte(tt.in), paris, ref)
			require.True(t, ok)
			require.Equal(t, tt.want.UnixNano(), ns, "got %v", time.Unix(0, ns).UTC())
		})
	}
}

func TestParsePrefix(t *testing.T) {
	tests := []struct {
		in   string
		n    int // 0: rejected
		want time.Time
	}{
		{"Dec 10 06:55:46 LabSZ sshd[24200]: x", 15, date(2023, 12, 10, 6, 55, 46, 0, time.UTC)},
		{"Jun  9 06:06:20 combo syslogd 1.4.1: restart.", 15, date(2023, 6, 9, 6, 6, 20, 0, time.UTC)},
		{"Jan  2 2006 15:04:05 host app: x", 20, date(2006, 1, 2, 15, 4, 5, 0, time.UTC)},
		{"2024-03-10T01:02:03.5+01:00 host app", 27, date(2024, 3, 10, 0, 2, 3, 500000000, time.UTC)},
		{"2024-03-10 01:02:03,456 INFO x", 23, date(2024, 3, 10, 1, 2, 3, 456000000, time.UTC)},
		{"2024-03-10 01:02:03 +0100 x", 25, date(2024, 3, 10, 0, 2, 3, 0, time.UTC)},
		{"2024-03-10 01:02:03 +0100x", 19, date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"2024/03/10 01:02:03 [error] 1#0: x", 19, date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"Sun Dec 04 04:47:44 2005] [notice]", 24, date(2005, 12, 4, 4, 47, 44, 0, time.UTC)},
		{"1700000000.5 x", 12, time.Unix(1700000000, 500000000)},
		{"Dec 10 06:55", 0, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			ns, n, ok := ParsePrefix([]byte(tt.in), time.UTC, ref)
			require.Equal(t, tt.n != 0, ok)
			require.Equal(t, tt.n, n)
			if ok {
				require.Equal(t, tt.want.UnixNano(), ns, "got %v", time.Unix(0, ns).UTC())
			}
		})
	}
}
