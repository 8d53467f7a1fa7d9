package search

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{Order: Oldest, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Skip: 3}
	got, err := DecodeCursor(c.Encode())
	require.NoError(t, err)
	require.Equal(t, c, got)
	for _, bad := range []string{"", "x", "YzEuMC4xLjA", c.Encode() + "A", "YzIuMC4xLjE"} {
		_, err := DecodeCursor(bad)
		require.ErrorIs(t, err, ErrBadCursor, bad)
	}
}

func TestBuckets(t *testing.T) {
	from := time.Date(2026, 1, 1, 10, 0, 30, 0, time.UTC)
	require.Equal(t, time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), BucketStart(from, time.Minute))
	require.EqualValues(t, 2, BucketCount(from, from.Add(time.Minute), time.Minute), "10:00 and 10:01")
	require.EqualValues(t, 1, BucketCount(from, from.Add(30*time.Second), time.Minute), "the end is exclusive")
	require.EqualValues(t, 0, BucketCount(from, from, time.Minute))
	bs := EmptyBuckets(from, from.Add(time.Hour), 10*time.Minute, 2)
	require.Len(t, bs, 7)
	require.Equal(t, []int64{0, 0}, bs[6].ByValue)
	require.Equal(t, time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC), bs[6].Start)
	before := time.Unix(-90, 0)
	require.Equal(t, time.Unix(-120, 0).UTC(), BucketStart(before, time.Minute), "before the epoch too")
}

func TestAutoInterval(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for r, want := range map[time.Duration]time.Duration{
		time.Minute: time.Second, 15 * time.Minute: 10 * time.Second, time.Hour: 30 * time.Second,
		24 * time.Hour: 15 * time.Minute, 7 * 24 * time.Hour: 2 * time.Hour, 30 * 24 * time.Hour: 6 * time.Hour,
		365 * 24 * time.Hour: 7 * 24 * time.Hour, 10 * 365 * 24 * time.Hour: 5 * 7 * 24 * time.Hour,
	} {
		got := AutoInterval(at, at.Add(r))
		require.Equal(t, want, got, "range %s", r)
		n := BucketCount(at, at.Add(r), got)
		require.LessOrEqual(t, n, int64(AutoBuckets), "range %s", r)
		require.GreaterOrEqual(t, n, int64(48), "range %s", r)
	}
}

func TestProject(t *testing.T) {
	src := []byte(`{"host":{"name":"web","ip":"10.0.0.1"},"http":{"response":{"status_code":200,"bytes":1.50}},"a.b":{"c":1},"tags":["x"],"n":null}`)
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{"host.name"}, `{"host":{"name":"web"}}`},
		{[]string{"http.response", "http.response.status_code"}, `{"http":{"response":{"status_code":200,"bytes":1.50}}}`},
		{[]string{"http.response.status_code", "host"}, `{"host":{"name":"web","ip":"10.0.0.1"},"http":{"response":{"status_code":200}}}`},
		{[]string{"a.b.c", "tags", "n"}, `{"a.b":{"c":1},"tags":["x"],"n":null}`},
		{[]string{"nothing", "host.name.more"}, `{}`},
	} {
		got, err := Project(src, tc.paths)
		require.NoError(t, err)
		require.JSONEq(t, tc.want, string(got), "%v", tc.paths)
	}
	got, err := Project(src, []string{"http.response.bytes"})
	require.NoError(t, err)
	require.Equal(t, `{"http":{"response":{"bytes":1.50}}}`, string(got), "numbers as written")
}
