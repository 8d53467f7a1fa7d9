package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

// Events of the calls' tests, written by writeCalls: n per tenant from callsStart, five to
// each minute (ties), host.name <tenant>-web-<i%3>, status 500 when i%4 == 0.
var callsStart = base.Add(10 * time.Minute)

const demoCalls, acmeCalls = 25, 10

func writeCalls(t *testing.T, b search.Backend) search.Backend {
	t.Helper()
	for tn, n := range map[string]int{"demo": demoCalls, "acme": acmeCalls} {
		docs := make([]search.Doc, n)
		for i := range docs {
			ts := callsStart.Add(time.Duration(i/5) * time.Minute)
			status := 200
			if i%4 == 0 {
				status = 500
			}
			id := fmt.Sprintf("%s-c-%d", tn, i)
			own := "" // a field only acme has
			if tn == "acme" {
				own = `,"acme_only":{"secret":"bravo-secret"}`
			}
			src := fmt.Sprintf(`{"@timestamp":%q,"message":"call %d of %s","event":{"id":%q},"organization":{"id":%q},`+
				`"host":{"name":"%s-web-%d"},"http":{"response":{"status_code":%d}}%s}`,
				ts.Format(time.RFC3339), i, tn, id, tn, tn, i%3, status, own)
			docs[i] = search.Doc{ID: id, Timestamp: ts, Source: []byte(src)}
		}
		days := map[string]int{"demo": 7, "acme": 90}[tn]
		require.NoError(t, b.Write(context.Background(), search.IndexName(tn, callsStart, days), docs))
	}
	return b
}

func newCallsFixture(t *testing.T) fixture {
	return newSearchFixture(t, nil, func(b search.Backend) search.Backend { return writeCalls(t, b) })
}

func callsRange(q string) url.Values {
	return url.Values{"q": {q}, "from": {base.Format(time.RFC3339)}, "to": {base.Add(time.Hour).Format(time.RFC3339)}}
}

// TestRESTSearchPages follows next_cursor through every page, in both orders: each event
// comes once, in order, ties in one order whatever the page size.
func TestRESTSearchPages(t *testing.T) {
	f := newCallsFixture(t)
	var reference []string
	for _, limit := range []string{"1", "4", "5", "7", "1000"} {
		for _, order := range []string{"newest", "oldest"} {
			p := callsRange("call")
			p.Set("limit", limit)
			p.Set("order", order)
			var ids []string
			var times []string
			for range 100 {
				a := f.get(t, "/api/v1/search", "demo-rd", p)
				require.Equal(t, http.StatusOK, a.status, a.body)
				require.Equal(t, "25", a.body["total"])
				for _, h := range a.body["hits"].([]any) {
					hit := h.(map[string]any)
					ids = append(ids, hit["id"].(string))
					times = append(times, hit["timestamp"].(string))
				}
				next := a.body["next_cursor"].(string)
				if next == "" {
					break
				}
				p.Set("cursor", next)
			}
			require.Len(t, ids, demoCalls, "limit %s %s", limit, order)
			sorted := slices.IsSortedFunc(times, func(a, b string) int { return strings.Compare(a, b) })
			if order == "newest" {
				slices.Reverse(ids)
				slices.Reverse(times)
			}
			require.True(t, slices.IsSorted(times), "limit %s %s: %v", limit, order, times)
			require.Equal(t, order == "oldest", sorted)
			if reference == nil {
				reference = ids
			}
			require.Equal(t, reference, ids, "limit %s %s", limit, order)
		}
	}
	seen := map[string]bool{}
	for _, id := range reference {
		seen[id] = true
	}
	require.Len(t, seen, demoCalls, "every event once")

	p := callsRange("call")
	p.Set("cursor", "not-a-cursor")
	requireError(t, f.get(t, "/api/v1/search", "demo-rd", p), 400, "invalid_argument", "")
	p = callsRange("call")
	p.Set("order", "sideways")
	requireError(t, f.get(t, "/api/v1/search", "demo-rd", p), 400, "invalid_argument", "")
	p = callsRange("call")
	p.Set("limit", "3")
	next := f.get(t, "/api/v1/search", "demo-rd", p).body["next_cursor"].(string)
	p.Set("cursor", next)
	p.Set("order", "oldest")
	requireError(t, f.get(t, "/api/v1/search", "demo-rd", p), 400, "invalid_argument", "")
}

// TestRESTSearchFields keeps only the asked paths of each source, as ECS JSON objects.
func TestRESTSearchFields(t *testing.T) {
	f := newCallsFixture(t)
	p := callsRange("call")
	p.Set("order", "oldest")
	p["fields"] = []string{"host.name,http.response", "nothing.here"}
	a := f.get(t, "/api/v1/search", "demo-rd", p)
	require.Equal(t, http.StatusOK, a.status, a.body)
	hits := a.body["hits"].([]any)
	require.Len(t, hits, demoCalls)
	for _, h := range hits {
		hit := h.(map[string]any)
		var i int
		_, err := fmt.Sscanf(hit["id"].(string), "demo-c-%d", &i)
		require.NoError(t, err)
		status := 200.0
		if i%4 == 0 {
			status = 500
		}
		require.Equal(t, map[string]any{
			"host": map[string]any{"name": fmt.Sprintf("demo-web-%d", i%3)},
			"http": map[string]any{"response": map[string]any{"status_code": status}},
		}, hit["source"])
	}
	p["fields"] = []string{strings.Repeat("a,", 51)}
	requireError(t, f.get(t, "/api/v1/search", "demo-rd", p), 400, "invalid_argument", "")
}

func TestRESTCount(t *testing.T) {
	f := newCallsFixture(t)
	for _, tc := range []struct {
		key, q string
		want   string
	}{
		{"demo-rd", "", "28"}, {"demo-rd", "call", "25"}, {"demo-rd", "http.response.status_code:500", "7"},
		{"acme-rd", "", "13"}, {"acme-rd", "call", "10"},
	} {
		a := f.get(t, "/api/v1/search/count", tc.key, wholeRange(tc.q))
		require.Equal(t, http.StatusOK, a.status, a.body)
		require.Equal(t, map[string]any{"total": tc.want}, a.body, "%s %q", tc.key, tc.q)
	}
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer demo-rd")
	r := wholeRange("call")
	resp, err := f.grpc.Count(ctx, &trollyv1.CountRequest{Q: "call", From: r.Get("from"), To: r.Get("to")})
	require.NoError(t, err)
	require.EqualValues(t, demoCalls, resp.GetTotal())

	// Retention bounds counts too: demo's event of ten days ago is past its 7 days.
	wide := url.Values{"q": {"old"}, "from": {base.Add(-30 * 24 * time.Hour).Format(time.RFC3339)}, "to": {base.Format(time.RFC3339)}}
	require.Equal(t, "0", f.get(t, "/api/v1/search/count", "demo-rd", wide).body["total"])
	require.Equal(t, "1", f.get(t, "/api/v1/search/count", "acme-rd", wide).body["total"])
}

func TestRESTHistogram(t *testing.T) {
	f := newCallsFixture(t)
	p := callsRange("call")
	p.Set("interval", "1m")
	a := f.get(t, "/api/v1/search/histogram", "demo-rd", p)
	require.Equal(t, http.StatusOK, a.status, a.body)
	require.Equal(t, "1m", a.body["interval"])
	require.Equal(t, "25", a.body["total"])
	buckets := a.body["buckets"].([]any)
	require.Len(t, buckets, 60, "an hour of minutes, empty ones included")
	var sum int
	for i, b := range buckets {
		bk := b.(map[string]any)
		start := base.Add(time.Duration(i) * time.Minute)
		require.Equal(t, start.Format(time.RFC3339), bk["start"])
		want := "0"
		if d := start.Sub(callsStart); d >= 0 && d < 5*time.Minute {
			want = "5"
		}
		require.Equal(t, want, bk["count"], "bucket %d", i)
		var n int
		fmt.Sscan(bk["count"].(string), &n)
		sum += n
	}
	require.Equal(t, demoCalls, sum)

	// Split by host.name's top 2: demo-web-0 (9 events), then demo-web-1 (8, before -2 by value).
	p.Set("by", "host.name")
	p.Set("top", "2")
	a = f.get(t, "/api/v1/search/histogram", "demo-rd", p)
	require.Equal(t, http.StatusOK, a.status, a.body)
	require.Equal(t, []any{"demo-web-0", "demo-web-1"}, a.body["values"])
	byValue := []int{0, 0}
	other := 0
	for _, b := range a.body["buckets"].([]any) {
		bk := b.(map[string]any)
		var count, o, v0, v1 int
		fmt.Sscan(bk["count"].(string), &count)
		fmt.Sscan(bk["other"].(string), &o)
		vs := bk["by_value"].([]any)
		require.Len(t, vs, 2)
		fmt.Sscan(vs[0].(string), &v0)
		fmt.Sscan(vs[1].(string), &v1)
		require.Equal(t, count, v0+v1+o)
		byValue[0], byValue[1], other = byValue[0]+v0, byValue[1]+v1, other+o
	}
	require.Equal(t, []int{9, 8}, byValue)
	require.Equal(t, 8, other)

	// No interval: a round one of at most 120 buckets, here 30s over the hour.
	a = f.get(t, "/api/v1/search/histogram", "demo-rd", callsRange("call"))
	require.Equal(t, "30s", a.body["interval"])
	require.Len(t, a.body["buckets"].([]any), 120)

	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer demo-rd")
	h, err := f.grpc.Histogram(ctx, &trollyv1.HistogramRequest{Q: "call", From: p.Get("from"), To: p.Get("to"), Interval: "10m"})
	require.NoError(t, err)
	require.Len(t, h.GetBuckets(), 6)
	require.EqualValues(t, 25, h.GetBuckets()[1].GetCount())

	for name, params := range map[string]url.Values{
		"too many buckets": {"interval": {"1s"}, "from": {base.Format(time.RFC3339)}, "to": {base.Add(24 * time.Hour).Format(time.RFC3339)}},
		"not an interval":  {"interval": {"soon"}},
		"zero interval":    {"interval": {"0s"}},
	} {
		a := f.get(t, "/api/v1/search/histogram", "demo-rd", params)
		requireError(t, a, 400, "invalid_argument", "interval")
		if name == "too many buckets" {
			require.Contains(t, a.body["message"], "86400 buckets, more than this server's max_histogram_buckets (1000)")
		}
	}
	p.Set("top", "21")
	requireError(t, f.get(t, "/api/v1/search/histogram", "demo-rd", p), 400, "invalid_argument", "top")
}

func TestRESTFacets(t *testing.T) {
	f := newCallsFixture(t)
	p := callsRange("call")
	p.Set("fields", "host.name,http.response.status_code")
	p.Set("limit", "2")
	a := f.get(t, "/api/v1/search/facets", "demo-rd", p)
	require.Equal(t, http.StatusOK, a.status, a.body)
	require.Equal(t, []any{
		map[string]any{"field": "host.name", "values": []any{
			map[string]any{"value": "demo-web-0", "count": "9"}, map[string]any{"value": "demo-web-1", "count": "8"}}},
		map[string]any{"field": "http.response.status_code", "values": []any{
			map[string]any{"value": "200", "count": "18"}, map[string]any{"value": "500", "count": "7"}}},
	}, a.body["facets"])

	// Every field, for a sidebar: paths, not the engine's columns.
	a = f.get(t, "/api/v1/search/facets", "demo-rd", callsRange("call"))
	require.Equal(t, http.StatusOK, a.status, a.body)
	fields := map[string]any{}
	for _, x := range a.body["facets"].([]any) {
		fc := x.(map[string]any)
		fields[fc["field"].(string)] = fc["values"]
	}
	require.Contains(t, fields, "host.name")
	require.Contains(t, fields, "organization.id")
	require.Equal(t, []any{map[string]any{"value": "demo", "count": "25"}}, fields["organization.id"])
	for name := range fields {
		require.False(t, strings.HasPrefix(name, "f.") || strings.HasPrefix(name, "b.") || strings.HasPrefix(name, "_"), name)
	}

	p.Set("limit", "101")
	requireError(t, f.get(t, "/api/v1/search/facets", "demo-rd", p), 400, "invalid_argument", "limit")
	p.Set("limit", "1")
	p.Set("fields", strings.Repeat("x,", 21))
	requireError(t, f.get(t, "/api/v1/search/facets", "demo-rd", p), 400, "invalid_argument", "")
}

func TestRESTFields(t *testing.T) {
	f := newCallsFixture(t)
	a := f.get(t, "/api/v1/search/fields", "demo-rd", callsRange("call"))
	require.Equal(t, http.StatusOK, a.status, a.body)
	got := map[string]string{}
	for _, x := range a.body["fields"].([]any) {
		fc := x.(map[string]any)
		got[fc["field"].(string)] = fc["count"].(string)
	}
	require.Equal(t, map[string]string{
		"@timestamp": "25", "message": "25", "event.id": "25", "organization.id": "25",
		"host.name": "25", "http.response.status_code": "25",
	}, got)
	a = f.get(t, "/api/v1/search/fields", "acme-rd", callsRange("call"))
	require.Contains(t, a.raw+fmt.Sprint(a.body), "acme_only.secret")
}

// TestRESTExport exports every match as NDJSON, across the pages the server reads.
func TestRESTExport(t *testing.T) {
	f := newSearchFixture(t, nil, func(b search.Backend) search.Backend {
		writeMany(t, b, "demo", 2*exportPage+10)
		return b
	})
	p := wholeRange("")
	resp := f.fetch(t, exportPath, "demo-rd", p)
	require.Equal(t, http.StatusOK, resp.status, resp.raw)
	require.Equal(t, "application/x-ndjson", resp.header.Get("Content-Type"))
	lines := strings.Split(strings.TrimSuffix(resp.raw, "\n"), "\n")
	require.Len(t, lines, 2*exportPage+10+3, "the generated events and the fixture's three")
	seen := map[string]bool{}
	var last time.Time
	for _, l := range lines {
		var doc struct {
			Timestamp string `json:"@timestamp"`
			Event     struct {
				ID string `json:"id"`
			} `json:"event"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &doc), l)
		require.False(t, seen[doc.Event.ID], doc.Event.ID)
		seen[doc.Event.ID] = true
		ts, err := time.Parse(time.RFC3339Nano, doc.Timestamp)
		require.NoError(t, err)
		require.False(t, ts.Before(last), "oldest first")
		last = ts
	}

	p = wholeRange("host.name:web-03")
	p.Set("fields", "host.name")
	p.Set("order", "newest")
	resp = f.fetch(t, exportPath, "demo-rd", p)
	require.Equal(t, http.StatusOK, resp.status, resp.raw)
	lines = strings.Split(strings.TrimSuffix(resp.raw, "\n"), "\n")
	require.Len(t, lines, (2*exportPage+10)/8)
	for _, l := range lines {
		require.JSONEq(t, `{"host":{"name":"web-03"}}`, l)
	}

	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer demo-rd")
	stream, err := f.grpc.Export(ctx, &trollyv1.ExportRequest{Q: "shared", From: p.Get("from"), To: p.Get("to")})
	require.NoError(t, err)
	got := readExport(t, stream)
	require.Equal(t, 3, strings.Count(got, "\n"))
	require.Contains(t, got, `"shared alpha 0"`)

	empty := f.fetch(t, exportPath, "demo-rd", wholeRange("nothing-matches-this"))
	require.Equal(t, http.StatusOK, empty.status)
	require.Empty(t, empty.raw)

	for _, tc := range []struct {
		key    string
		params url.Values
		status int
		code   string
	}{
		{"", wholeRange(""), 401, "unauthenticated"},
		{"nope", wholeRange(""), 401, "unauthenticated"},
		{"demo-in", wholeRange(""), 403, "forbidden"},
		{"demo-rd", wholeRange(`"open`), 400, "invalid_argument"},
		{"demo-rd", url.Values{"order": {"sideways"}}, 400, "invalid_argument"},
	} {
		a := f.fetch(t, exportPath, tc.key, tc.params)
		require.Equal(t, tc.status, a.status, a.raw)
		require.NoError(t, json.Unmarshal([]byte(a.raw), &a.body), a.raw)
		require.Equal(t, tc.code, a.body["code"], a.raw)
	}
}

// stall serves the first page of each search and holds the next ones until their context
// ends.
type stall struct{ search.Backend }

func (s stall) Search(ctx context.Context, req search.Request) (search.Result, error) {
	if req.Cursor == nil {
		return s.Backend.Search(ctx, req)
	}
	<-ctx.Done()
	return search.Result{}, ctx.Err()
}

// TestExportStopsWithTheClient: a client that reads a line and goes away cancels the
// export, whether it is sending or reading its next page, which frees the plan's slot
// of concurrent searches long before the page's query_timeout.
func TestExportStopsWithTheClient(t *testing.T) {
	f := newSearchFixture(t, &tenant.Limits{MaxConcurrentQueries: 1, QueryTimeout: 5 * time.Minute}, func(b search.Backend) search.Backend {
		writeMany(t, b, "acme", 2*exportPage)
		return stall{b}
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.rest+"/api/v1/search/export?"+wholeRange("").Encode(), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer acme-rd")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, `"event"`)
	require.Equal(t, http.StatusTooManyRequests, f.get(t, "/api/v1/search/count", "acme-rd", wholeRange("")).status,
		"the export holds the tenant's one slot")
	cancel()
	resp.Body.Close()
	require.Eventually(t, func() bool {
		return f.get(t, "/api/v1/search/count", "acme-rd", wholeRange("")).status == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, "the export's slot is released")
}

// searchOnly is a backend without the aggregate calls.
type searchOnly struct{ search.Backend }

func TestCallsUnimplemented(t *testing.T) {
	f := newSearchFixture(t, nil, func(b search.Backend) search.Backend { return searchOnly{b} })
	for _, path := range []string{"/api/v1/search/histogram", "/api/v1/search/facets", "/api/v1/search/fields"} {
		requireError(t, f.get(t, path, "demo-rd", wholeRange("")), 501, "unimplemented", "")
	}
	a := f.get(t, "/api/v1/search/count", "demo-rd", wholeRange("shared"))
	require.Equal(t, "3", a.body["total"], "counts need only Search")
}

// TestCallsWithinPlan: every call is refused past max_query_range, and waits its turn
// within max_concurrent_queries.
func TestCallsWithinPlan(t *testing.T) {
	f := newSearchFixture(t, &tenant.Limits{MaxQueryRange: 24 * time.Hour}, nil)
	for _, path := range []string{"/api/v1/search/count", "/api/v1/search/histogram", "/api/v1/search/facets",
		"/api/v1/search/fields", "/api/v1/search/export"} {
		a := f.get(t, path, "acme-rd", wholeRange("shared"))
		requireError(t, a, 400, "invalid_argument", "")
		require.Contains(t, a.body["message"], "max_query_range", path)
	}

	g := &gate{entered: make(chan struct{}, 8), release: make(chan struct{})}
	f = newSearchFixture(t, &tenant.Limits{MaxConcurrentQueries: 1}, func(b search.Backend) search.Backend {
		g.Backend = b
		return g
	})
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, f.rest+exportPath+"?"+wholeRange("shared").Encode(), nil)
		req.Header.Set("Authorization", "Bearer acme-rd")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-g.entered
	for _, path := range []string{"/api/v1/search/count", "/api/v1/search/export", "/api/v1/search"} {
		a := f.get(t, path, "acme-rd", wholeRange("shared"))
		requireError(t, a, http.StatusTooManyRequests, "too_many_requests", "")
	}
	close(g.release)
	require.Equal(t, http.StatusOK, <-first)
}

// exportPath is the REST export.
const exportPath = "/api/v1/search/export"

// readExport reads a gRPC export to its end.
func readExport(t *testing.T, stream grpc.ServerStreamingClient[trollyv1.ExportResponse]) string {
	t.Helper()
	var out strings.Builder
	for {
		msg, err := stream.Recv()
		if err == io.EOF {
			return out.String()
		}
		require.NoError(t, err)
		out.Write(msg.GetNdjson())
	}
}
