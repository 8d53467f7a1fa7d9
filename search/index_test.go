package search

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIndexName(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := []struct {
		name      string
		tenant    string
		t         time.Time
		retention int
		want      string
	}{
		{"daily", "acme", time.Date(2024, 2, 1, 9, 30, 0, 0, time.UTC), 7, "trolly-acme-2024.02.01"},
		{"daily at 31 days", "acme", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), 31, "trolly-acme-2024.02.01"},
		{"monthly above 31 days", "acme", time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), 32, "trolly-acme-2024.02"},
		{"dash in tenant", "acme-corp", time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC), 90, "trolly-acme-corp-2024.12"},
		{"UTC day, not local", "acme", time.Date(2024, 3, 1, 0, 30, 0, 0, paris), 7, "trolly-acme-2024.02.29"},
		{"UTC month, not local", "acme", time.Date(2024, 1, 1, 0, 30, 0, 0, paris), 365, "trolly-acme-2023.12"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, IndexName(tc.tenant, tc.t, tc.retention))
		})
	}
}

func TestParseIndexName(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name       string
		in         string
		ok         bool
		tenant     string
		start, end time.Time
	}{
		{"daily", "trolly-acme-2024.02.29", true, "acme", day(2024, 2, 29), day(2024, 3, 1)},
		{"monthly", "trolly-acme-2024.12", true, "acme", day(2024, 12, 1), day(2025, 1, 1)},
		{"dashed tenant daily", "trolly-acme-corp-2024.01.31", true, "acme-corp", day(2024, 1, 31), day(2024, 2, 1)},
		{"dashed tenant monthly", "trolly-acme-corp-2024.01", true, "acme-corp", day(2024, 1, 1), day(2024, 2, 1)},
		{"tenant that looks like a year", "trolly-acme-2024-2024.01", true, "acme-2024", day(2024, 1, 1), day(2024, 2, 1)},
		{"no prefix", "acme-2024.01", false, "", time.Time{}, time.Time{}},
		{"other prefix", "logs-acme-2024.01", false, "", time.Time{}, time.Time{}},
		{"no date", "trolly-acme", false, "", time.Time{}, time.Time{}},
		{"empty tenant", "trolly--2024.01", false, "", time.Time{}, time.Time{}},
		{"invalid tenant", "trolly-Acme-2024.01", false, "", time.Time{}, time.Time{}},
		{"one-digit month", "trolly-acme-2024.1", false, "", time.Time{}, time.Time{}},
		{"month 13", "trolly-acme-2024.13", false, "", time.Time{}, time.Time{}},
		{"February 30", "trolly-acme-2024.02.30", false, "", time.Time{}, time.Time{}},
		{"file suffix", "trolly-acme-2024.01.db", false, "", time.Time{}, time.Time{}},
		{"year only", "trolly-acme-2024", false, "", time.Time{}, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tenant, start, end, ok := ParseIndexName(tc.in)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.tenant, tenant)
			require.True(t, tc.start.Equal(start), "start %s", start)
			require.True(t, tc.end.Equal(end), "end %s", end)
		})
	}
}

func TestIndexNameRoundTrip(t *testing.T) {
	ts := time.Date(2024, 1, 31, 23, 59, 59, 999_999_999, time.UTC)
	for _, tenant := range []string{"acme", "acme-corp", "a", "acme-corp-2"} {
		for _, retention := range []int{1, 31, 32, 400} {
			name := IndexName(tenant, ts, retention)
			got, start, end, ok := ParseIndexName(name)
			require.True(t, ok, name)
			require.Equal(t, tenant, got, name)
			require.False(t, ts.Before(start), name)
			require.True(t, ts.Before(end), name)
		}
	}
}

// A search of acme selects indices by the exact tenant ParseIndexName returns, so the
// indices of acme-corp, whose names start with acme's prefix, are never acme's.
func TestParseIndexNameTenantWall(t *testing.T) {
	ts := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	for _, name := range []string{IndexName("acme-corp", ts, 7), IndexName("acme-corp", ts, 90)} {
		tenant, _, _, ok := ParseIndexName(name)
		require.True(t, ok)
		require.NotEqual(t, "acme", tenant, name)
	}
}

func TestDocValidate(t *testing.T) {
	ts := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		doc  Doc
		ok   bool
	}{
		{"valid", Doc{ID: "a", Timestamp: ts, Source: []byte(` {"message":"x"}`)}, true},
		{"no id", Doc{Timestamp: ts, Source: []byte(`{}`)}, false},
		{"not JSON", Doc{ID: "a", Timestamp: ts, Source: []byte(`{"message":`)}, false},
		{"JSON5 is not JSON", Doc{ID: "a", Timestamp: ts, Source: []byte(`{message:'x'}`)}, false},
		{"array", Doc{ID: "a", Timestamp: ts, Source: []byte(`[1]`)}, false},
		{"empty", Doc{ID: "a", Timestamp: ts}, false},
		{"year 1", Doc{ID: "a", Source: []byte(`{}`)}, false},
		{"year 2300", Doc{ID: "a", Timestamp: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), Source: []byte(`{}`)}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.doc.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidDoc)
		})
	}
}
