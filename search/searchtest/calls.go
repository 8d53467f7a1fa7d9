package searchtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// The corpus of RunCalls: callsEvents events of callsTenant, three to each second from
// callsBase, and a few of callsOther, whose values must never reach callsTenant.
const (
	callsTenant = "calls"
	callsOther  = "calls-other"
	callsEvents = 30
)

var callsBase = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)

// CallsEvent is event i of RunCalls's corpus: host.name web-1 for i < 15, web-2 for
// i < 25, none after (service.name db instead); status 500 when i%3 == 0. Its ids
// ("ev-9" before "ev-10" by value, after it bytewise) test the order of ties.
func CallsEvent(tenant string, i int) search.Doc {
	ts := callsBase.Add(time.Duration(i/3) * time.Second)
	id := fmt.Sprintf("ev-%d", i)
	status := 200
	if i%3 == 0 {
		status = 500
	}
	who := `"host":{"name":"web-1"}`
	switch {
	case tenant != callsTenant:
		who = `"host":{"name":"secret-host"},"secret":{"field":"hidden"}`
	case i >= 25:
		who = `"service":{"name":"db"}`
	case i >= 15:
		who = `"host":{"name":"web-2"}`
	}
	src := fmt.Sprintf(`{"@timestamp":%q,"message":"request %d done","event":{"id":%q,"dataset":"app"},`+
		`"organization":{"id":%q},"http":{"response":{"status_code":%d}},%s}`,
		ts.Format(time.RFC3339Nano), i, id, tenant, status, who)
	return search.Doc{ID: id, Timestamp: ts, Source: []byte(src)}
}

// RunCalls checks search.Analyzer and the paging of Search (cursor, order, projection)
// on backends made by newBackend, which must implement search.Analyzer.
func RunCalls(t *testing.T, newBackend func(t *testing.T) search.Backend) {
	b := open(t, newBackend)
	an, ok := b.(search.Analyzer)
	require.True(t, ok, "the backend must implement search.Analyzer")
	for tenant, n := range map[string]int{callsTenant: callsEvents, callsOther: 7} {
		docs := make([]search.Doc, n)
		for i := range docs {
			docs[i] = CallsEvent(tenant, i)
		}
		require.NoError(t, b.Write(ctx(t), search.IndexName(tenant, callsBase, 7), docs))
	}
	from, to := callsBase.Add(-time.Minute), callsBase.Add(time.Minute)
	req := search.Request{Tenant: callsTenant, From: from, To: to}

	t.Run("count", func(t *testing.T) {
		for q, want := range map[string]int64{"": 30, "host.name:web-1": 15, "http.response.status_code:500": 10, "secret-host": 0} {
			r := req
			r.Query = mustParse(t, q)
			res, err := b.Search(ctx(t), r)
			require.NoError(t, err)
			require.Equal(t, want, res.Total, q)
			require.Empty(t, res.Hits)
		}
	})
	t.Run("cursor pages", func(t *testing.T) { testPaging(t, b, req) })
	t.Run("projection", func(t *testing.T) { testProjection(t, b, req) })
	t.Run("histogram", func(t *testing.T) { testHistogram(t, an, req) })
	t.Run("facets", func(t *testing.T) { testFacets(t, an, req) })
	t.Run("field names", func(t *testing.T) { testFieldNames(t, an, req) })
}

func mustParse(t *testing.T, q string) query.Node {
	n, err := query.Parse(q)
	require.NoError(t, err)
	return n
}

// pages follows the cursors of req to the end, returning every hit.
func pages(t *testing.T, b search.Backend, req search.Request) []search.Hit {
	var all []search.Hit
	for range 100 {
		res, err := b.Search(ctx(t), req)
		require.NoError(t, err)
		require.EqualValues(t, callsEvents, res.Total, "the total counts the whole range on every page")
		require.LessOrEqual(t, len(res.Hits), req.Limit)
		all = append(all, res.Hits...)
		if res.Next == nil {
			return all
		}
		require.Len(t, res.Hits, req.Limit, "a page that is not the last is full")
		c, err := search.DecodeCursor(res.Next.Encode())
		require.NoError(t, err)
		req.Cursor = &c
	}
	t.Fatal("the cursors never ended")
	return nil
}

func testPaging(t *testing.T, b search.Backend, req search.Request) {
	var reference []string
	for _, limit := range []int{1, 2, 4, 7, 30, 1000} {
		for _, order := range []search.Order{search.Newest, search.Oldest} {
			r := req
			r.Limit, r.Order = limit, order
			hits := pages(t, b, r)
			ids := make([]string, len(hits))
			seen := map[string]bool{}
			for i, h := range hits {
				ids[i] = h.ID
				require.False(t, seen[h.ID], "limit %d: %s returned twice", limit, h.ID)
				seen[h.ID] = true
				if i > 0 {
					c := h.Timestamp.Compare(hits[i-1].Timestamp)
					if order == search.Newest {
						require.LessOrEqual(t, c, 0, "limit %d newest: out of order at %d", limit, i)
					} else {
						require.GreaterOrEqual(t, c, 0, "limit %d oldest: out of order at %d", limit, i)
					}
				}
			}
			require.Len(t, ids, callsEvents, "limit %d order %d", limit, order)
			if order == search.Newest {
				slices.Reverse(ids)
			}
			// Ties come in one order, whatever the page size and direction.
			if reference == nil {
				reference = ids
			}
			require.Equal(t, reference, ids, "limit %d order %d", limit, order)
		}
	}
	// The engines order ties by id: ev-0, ev-1, ev-2 share the first second.
	require.ElementsMatch(t, []string{"ev-0", "ev-1", "ev-2"}, reference[:3])

	r := req
	r.Limit, r.Order = 5, search.Oldest
	res, err := b.Search(ctx(t), r)
	require.NoError(t, err)
	r.Order = search.Newest
	r.Cursor = res.Next
	_, err = b.Search(ctx(t), r)
	require.ErrorIs(t, err, search.ErrBadCursor, "a cursor of the other order")
}

func testProjection(t *testing.T, b search.Backend, req search.Request) {
	req.Limit, req.Order = 30, search.Oldest
	req.Fields = []string{"host.name", "http.response", "event.id", "no.such.field"}
	res, err := b.Search(ctx(t), req)
	require.NoError(t, err)
	require.Len(t, res.Hits, callsEvents)
	for _, h := range res.Hits {
		var i int
		_, err := fmt.Sscanf(h.ID, "ev-%d", &i)
		require.NoError(t, err)
		status := 200
		if i%3 == 0 {
			status = 500
		}
		host := `"host":{"name":"web-1"},`
		switch {
		case i >= 25:
			host = ""
		case i >= 15:
			host = `"host":{"name":"web-2"},`
		}
		want := fmt.Sprintf(`{"event":{"id":%q},%s"http":{"response":{"status_code":%d}}}`, h.ID, host, status)
		require.JSONEq(t, want, string(h.Source), h.ID)
		require.True(t, json.Valid(h.Source))
	}
}

func testHistogram(t *testing.T, an search.Analyzer, req search.Request) {
	// 12:00:00 to 12:00:10 holds the events, at 3 per second; the range goes 5 s beyond.
	req.From, req.To = callsBase.Add(-5*time.Second), callsBase.Add(15*time.Second)
	h, err := an.Histogram(ctx(t), search.HistogramRequest{Request: req, Interval: 2 * time.Second})
	require.NoError(t, err)
	require.Len(t, h.Buckets, 11, "zero buckets are there too: 11:59:54 to 12:00:14")
	var sum int64
	for i, bk := range h.Buckets {
		want := int64(0)
		if s := bk.Start.Sub(callsBase); s >= 0 && s < 10*time.Second {
			want = 6
		}
		require.Equal(t, callsBase.Add(time.Duration(2*i-6)*time.Second), bk.Start)
		require.Equal(t, want, bk.Count, "bucket %s", bk.Start)
		sum += bk.Count
	}
	require.EqualValues(t, callsEvents, sum)

	req.Query = mustParse(t, "http.response.status_code:200")
	h, err = an.Histogram(ctx(t), search.HistogramRequest{Request: req, Interval: 4 * time.Second, By: "host.name", Top: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"web-1"}, h.Values)
	var byWeb1, other int64
	for _, bk := range h.Buckets {
		require.Len(t, bk.ByValue, 1)
		require.Equal(t, bk.Count, bk.ByValue[0]+bk.Other)
		byWeb1, other, sum = byWeb1+bk.ByValue[0], other+bk.Other, sum+bk.Count
	}
	require.EqualValues(t, 10, byWeb1) // web-1: i < 15, status 200 for 2 of each 3
	require.EqualValues(t, 6+4, other) // web-2's and db's
	require.EqualValues(t, 30+20, sum) // both histograms
	require.Equal(t, 4*time.Second, h.Interval)
}

func testFacets(t *testing.T, an search.Analyzer, req search.Request) {
	got, err := an.Facets(ctx(t), search.FacetsRequest{Request: req, Fields: []string{"host.name", "http.response.status_code"}, Limit: 5})
	require.NoError(t, err)
	require.Equal(t, []search.Facet{
		{Field: "host.name", Values: []search.ValueCount{{Value: "web-1", Count: 15}, {Value: "web-2", Count: 10}}},
		{Field: "http.response.status_code", Values: []search.ValueCount{{Value: "200", Count: 20}, {Value: "500", Count: 10}}},
	}, got)

	got, err = an.Facets(ctx(t), search.FacetsRequest{Request: req, Fields: []string{"host.name"}, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []search.Facet{{Field: "host.name", Values: []search.ValueCount{{Value: "web-1", Count: 15}}}}, got)

	all, err := an.Facets(ctx(t), search.FacetsRequest{Request: req, Limit: 3})
	require.NoError(t, err)
	byField := map[string][]search.ValueCount{}
	for _, f := range all {
		byField[f.Field] = f.Values
		require.False(t, strings.HasPrefix(f.Field, "f.") || strings.HasPrefix(f.Field, "b.") || strings.HasPrefix(f.Field, "_"), f.Field)
		for _, v := range f.Values {
			require.NotContains(t, v.Value, "secret")
		}
	}
	require.Equal(t, []search.ValueCount{{Value: "web-1", Count: 15}, {Value: "web-2", Count: 10}}, byField["host.name"])
	require.Equal(t, []search.ValueCount{{Value: "db", Count: 5}}, byField["service.name"])
	require.Equal(t, []search.ValueCount{{Value: callsTenant, Count: 30}}, byField["organization.id"])
	require.NotContains(t, byField, "secret.field")
}

func testFieldNames(t *testing.T, an search.Analyzer, req search.Request) {
	got, err := an.FieldNames(ctx(t), req)
	require.NoError(t, err)
	counts := map[string]int64{}
	for _, f := range got {
		counts[f.Field] = f.Count
	}
	require.Equal(t, map[string]int64{
		"@timestamp": 30, "message": 30, "event.id": 30, "event.dataset": 30, "organization.id": 30,
		"http.response.status_code": 30, "host.name": 25, "service.name": 5,
	}, counts)

	req.Query = mustParse(t, "service.name:db")
	got, err = an.FieldNames(ctx(t), req)
	require.NoError(t, err)
	for _, f := range got {
		require.NotEqual(t, "host.name", f.Field)
		require.EqualValues(t, 5, f.Count, f.Field)
	}
	other := req
	other.Tenant, other.Query = callsOther, nil
	got, err = an.FieldNames(ctx(t), other)
	require.NoError(t, err)
	require.Contains(t, got, search.FieldCount{Field: "secret.field", Count: 7})
}
