package api

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "now", want: now},
		{in: "now-15m", want: now.Add(-15 * time.Minute)},
		{in: "now+1h", want: now.Add(time.Hour)},
		{in: "now-2d", want: now.Add(-48 * time.Hour)},
		{in: "now-1w", want: now.Add(-7 * 24 * time.Hour)},
		{in: "2005-12-04T04:47:44Z", want: time.Date(2005, 12, 4, 4, 47, 44, 0, time.UTC)},
		{in: "2005-12-04T04:47:44.5+01:00", want: time.Date(2005, 12, 4, 3, 47, 44, 5e8, time.UTC)},
		{in: "2005-12-04", want: time.Date(2005, 12, 4, 0, 0, 0, 0, time.UTC)},
		{in: "1700000000000", want: time.UnixMilli(1700000000000)},
		{in: "now*2", err: "after now comes"},
		{in: "now-x", err: "bad duration"},
		{in: "now--1h", err: "bad duration"},
		{in: "yesterday", err: "is not a time"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in, now)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.True(t, tt.want.Equal(got), "want %s, got %s", tt.want, got)
		})
	}
}

func TestTimeRange(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	from, to, err := timeRange("", "", now, time.Hour)
	require.NoError(t, err)
	require.Equal(t, now.Add(-time.Hour), from)
	require.Equal(t, now, to)

	from, to, err = timeRange("now-2h", "now-1h", now, time.Hour)
	require.NoError(t, err)
	require.Equal(t, now.Add(-2*time.Hour), from)
	require.Equal(t, now.Add(-time.Hour), to)

	_, _, err = timeRange("now", "now-1h", now, time.Hour)
	require.ErrorContains(t, err, "must be before")
	_, _, err = timeRange("bad", "", now, time.Hour)
	require.ErrorContains(t, err, "from:")
	_, _, err = timeRange("", "bad", now, time.Hour)
	require.ErrorContains(t, err, "to:")
}
