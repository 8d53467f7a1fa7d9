package timestamp

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseLayout(t *testing.T) {
	tests := []struct {
		layout, in string
		want       time.Time // zero: rejected
	}{
		{"rfc3339", "2024-03-10T01:02:03Z", date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"rfc3339", "2024-03-10", time.Time{}},
		{"rfc3339", "Mar 10 01:02:03", time.Time{}},
		{"rfc3164", "Mar 10 01:02:03", date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"rfc3164", "2024-03-10T01:02:03Z", time.Time{}},
		{"clf", "10/Mar/2024:01:02:03 +0000", date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"clf", "Sun Mar 10 01:02:03 2024", time.Time{}},
		{"apache", "Sun Mar 10 01:02:03 2024", date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"java", "2024-03-10 01:02:03,004", date(2024, 3, 10, 1, 2, 3, 4000000, time.UTC)},
		{"nginx", "2024/03/10 01:02:03", date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{"nginx", "2024-03-10 01:02:03", time.Time{}},
		{"unix", "1700000000", time.Unix(1700000000, 0)},
		{"unix", "5", time.Unix(5, 0)},
		{"unix", "1700000000123", time.Time{}}, // seconds after 2262
		{"unix_ms", "1700000000123", time.Unix(1700000000, 123000000)},
		{"unix_ms", "1700000000123.5", time.Unix(1700000000, 123500000)},
		{"unix_us", "1700000000123456", time.Unix(1700000000, 123456000)},
		{"unix_ns", "1700000000123456789", time.Unix(1700000000, 123456789)},
		{"unix_ns", "9223372036854775807", time.Unix(0, math.MaxInt64)},
		{"unix_ns", "9223372036854775808", time.Time{}},
		{"unix", "-1", time.Time{}},
		{"auto", "1700000000", time.Unix(1700000000, 0)},
		{"", "Mar 10 01:02:03", date(2024, 3, 10, 1, 2, 3, 0, time.UTC)},
		{time.RFC1123Z, "Sun, 10 Mar 2024 01:02:03 +0100", date(2024, 3, 10, 0, 2, 3, 0, time.UTC)},
		{time.RFC1123Z, "Sun, 10 Mar 2024 01:02:03", time.Time{}},
		{"02.01.2006 15:04", "10.03.2024 01:02", date(2024, 3, 10, 1, 2, 0, 0, time.UTC)},
		{time.StampMilli, "Mar 10 01:02:03.250", date(2024, 3, 10, 1, 2, 3, 250000000, time.UTC)},
		{time.StampMilli, "Dec 10 01:02:03.250", date(2023, 12, 10, 1, 2, 3, 250000000, time.UTC)},
		{"Jan _2 15:04:05 -0700", "Mar 10 01:02:03 +0100", date(2024, 3, 10, 0, 2, 3, 0, time.UTC)},
		{"02.01.2006", "10.03.0000", time.Time{}}, // a written year 0 is no missing year
		{"Jan 2 06", "Mar 10 99", date(1999, 3, 10, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.layout+"/"+tt.in, func(t *testing.T) {
			l, err := ParseLayout(tt.layout)
			require.NoError(t, err)
			ns, ok := l.Parse([]byte(tt.in), time.UTC, ref)
			require.Equal(t, !tt.want.IsZero(), ok, "got %v", time.Unix(0, ns).UTC())
			if ok {
				require.Equal(t, tt.want.UnixNano(), ns, "got %v", time.Unix(0, ns).UTC())
			}
		})
	}
}

func TestParseLayoutNames(t *testing.T) {
	for _, name := range names {
		l, err := ParseLayout(name)
		require.NoError(t, err)
		require.Equal(t, name, l.String())
	}
	l, err := ParseLayout(time.Kitchen)
	require.NoError(t, err)
	require.Equal(t, time.Kitchen, l.String())
	require.Equal(t, "auto", Layout{}.String())
}

func TestParseLayoutErrors(t *testing.T) {
	for _, s := range []string{"rfc-3339", "epoch", "yyyy-MM-dd"} {
		t.Run(s, func(t *testing.T) {
			_, err := ParseLayout(s)
			require.Error(t, err)
			require.Contains(t, err.Error(), s)
		})
	}
}

func TestParseLayoutInLocation(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	l, err := ParseLayout("02.01.2006 15:04")
	require.NoError(t, err)
	ns, ok := l.Parse([]byte("10.07.2024 08:00"), ny, ref)
	require.True(t, ok)
	require.Equal(t, date(2024, 7, 10, 12, 0, 0, 0, time.UTC).UnixNano(), ns)
}

func TestClamp(t *testing.T) {
	day := 24 * time.Hour
	r := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	tests := []struct {
		name         string
		ts           int64
		past, future time.Duration
		want         int64
		ok           bool
	}{
		{"inside", r - int64(day), 7 * day, day, r - int64(day), true},
		{"on the past bound", r - int64(7*day), 7 * day, day, r - int64(7*day), true},
		{"too old", r - int64(7*day) - 1, 7 * day, day, r, false},
		{"on the future bound", r + int64(day), 7 * day, day, r + int64(day), true},
		{"too new", r + int64(day) + 1, 7 * day, day, r, false},
		{"no past bound", math.MinInt64, 0, day, math.MinInt64, true},
		{"no future bound", math.MaxInt64, day, 0, math.MaxInt64, true},
		{"bounds beyond the range", math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64, true},
		{"huge past bound", math.MinInt64, math.MaxInt64, math.MaxInt64, r, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Clamp(tt.ts, r, tt.past, tt.future)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestLoadLocation(t *testing.T) {
	tests := []struct {
		name   string
		offset int // in July 2024; -1: error
	}{
		{"", 0},
		{"UTC", 0},
		{"Europe/Paris", 2 * 3600},
		{"America/St_Johns", -(2*3600 + 1800)},
		{"+05:30", 5*3600 + 1800},
		{"-0800", -8 * 3600},
		{"+02", 2 * 3600},
		{"Local", -1},
		{"Mars/Olympus", -1},
		{"+5", -1},
		{"+05:30x", -1},
		{"+24:00", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := LoadLocation(tt.name)
			if tt.offset == -1 {
				require.Error(t, err)
				require.Contains(t, err.Error(), tt.name)
				return
			}
			require.NoError(t, err)
			_, off := time.Date(2024, 7, 1, 0, 0, 0, 0, loc).Zone()
			require.Equal(t, tt.offset, off)
		})
	}
}

func TestClampSaturates(t *testing.T) {
	got, ok := Clamp(math.MinInt64, math.MinInt64+10, time.Hour, time.Hour)
	require.True(t, ok, "the past bound must not wrap around to the future")
	require.Equal(t, int64(math.MinInt64), got)
	got, ok = Clamp(math.MaxInt64, math.MaxInt64-10, time.Hour, time.Hour)
	require.True(t, ok, "the future bound must not wrap around to the past")
	require.Equal(t, int64(math.MaxInt64), got)
}

func TestFormatString(t *testing.T) {
	require.Equal(t, "clf", CLF.String())
	require.Equal(t, "unix_ns", UnixNS.String())
	require.Equal(t, "Format(200)", Format(200).String())
	_, ok := Format(200).Parse([]byte("2024-03-10T01:02:03Z"), nil, ref)
	require.False(t, ok)
}
