package vlogs

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
)

// A tenant whose events lie in two classes' storages (its retention changed) pages
// through both with one cursor, ties across them included, and counts both.
func TestCallsAcrossClasses(t *testing.T) {
	var mu sync.Mutex
	days := 20
	b, err := Open(Config{Dir: t.TempDir(), Classes: []int{7, 30}}, func(context.Context, string) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return days, nil
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	now := time.Now().UTC().Truncate(time.Second)
	write := func(from, to int) {
		var docs []search.Doc
		for i := from; i < to; i++ {
			docs = append(docs, doc(fmt.Sprintf("x-%d", i), now.Add(-time.Duration(i%4)*time.Second), `,"host":{"name":"h"}`))
		}
		mu.Lock()
		d := days
		mu.Unlock()
		require.NoError(t, b.Write(t.Context(), search.IndexName("t", now, d), docs))
	}
	write(0, 13) // class 30
	mu.Lock()
	days = 5
	mu.Unlock()
	write(13, 26) // class 7, the same four times
	_, classes, _ := b.tenants.lookup("t")
	require.Equal(t, []int{7, 30}, classes)

	req := search.Request{Tenant: "t", From: now.Add(-time.Minute), To: now.Add(time.Minute), Limit: 3}
	for _, order := range []search.Order{search.Newest, search.Oldest} {
		req.Order, req.Cursor = order, nil
		var ids []string
		var last time.Time
		for range 20 {
			res, err := b.Search(t.Context(), req)
			require.NoError(t, err)
			require.EqualValues(t, 26, res.Total)
			for _, h := range res.Hits {
				if len(ids) > 0 {
					c := h.Timestamp.Compare(last)
					require.True(t, order == search.Newest && c <= 0 || order == search.Oldest && c >= 0, "in order")
				}
				ids, last = append(ids, h.ID), h.Timestamp
			}
			if req.Cursor = res.Next; res.Next == nil {
				break
			}
		}
		require.Len(t, ids, 26, "order %d", order)
		slices.Sort(ids)
		require.Len(t, slices.Compact(ids), 26, "each once")
	}

	h, err := b.Histogram(t.Context(), search.HistogramRequest{Request: req, Interval: time.Second, By: "host.name", Top: 3})
	require.NoError(t, err)
	var sum, byH int64
	for _, bk := range h.Buckets {
		sum, byH = sum+bk.Count, byH+bk.ByValue[0]
	}
	require.EqualValues(t, 26, sum)
	require.EqualValues(t, 26, byH)
	facets, err := b.Facets(t.Context(), search.FacetsRequest{Request: req, Fields: []string{"host.name"}, Limit: 5})
	require.NoError(t, err)
	require.Equal(t, []search.Facet{{Field: "host.name", Values: []search.ValueCount{{Value: "h", Count: 26}}}}, facets)
	fields, err := b.FieldNames(t.Context(), req)
	require.NoError(t, err)
	require.Contains(t, fields, search.FieldCount{Field: "host.name", Count: 26})
}

func TestCompareEngine(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"x-9", "x-10", -1}, {"x-10", "x-9", 1}, {"x-1", "x-1", 0}, {"9", "10", -1}, {"-3", "2", -1},
		{"1.5", "1.25", 1}, {"2024-01-02T00:00:00Z", "2024-01-01T23:00:00Z", 1}, {"abc", "abd", -1},
	} {
		require.Equal(t, tc.want, compareEngine(tc.a, tc.b), "%s vs %s", tc.a, tc.b)
	}
}
