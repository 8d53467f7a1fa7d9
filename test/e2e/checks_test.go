package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
	"github.com/trolly-logs/trolly/tenant"
)

func checkAccessFields(t *testing.T, srv server, web []accessLine, from, to string) {
	l := web[7]
	r := srv.search(t, demoRead, fmt.Sprintf("url.original:%q", l.path), from, to, 10)
	require.Equal(t, 1, r.total(t))
	doc := r.Hits[0].Source
	for path, want := range map[string]any{
		"message":                   l.text,
		"source.address":            l.ip,
		"source.ip":                 l.ip,
		"user.name":                 "alice",
		"http.request.method":       l.method,
		"url.original":              l.path,
		"http.version":              "1.1",
		"http.response.status_code": float64(l.status),
		"http.response.body.bytes":  float64(l.bytes),
		"http.request.referrer":     "https://shop.example/",
		"user_agent.original":       l.agent,
		"event.dataset":             "nginx_access",
		"organization.id":           "demo",
		"data_stream.type":          "logs",
		"data_stream.dataset":       "nginx_access",
		"data_stream.namespace":     "web",
	} {
		require.Equal(t, want, field(doc, path), path)
	}
	ts, err := time.Parse(time.RFC3339Nano, field(doc, "@timestamp").(string))
	require.NoError(t, err)
	require.True(t, l.at.Equal(ts), "@timestamp %s from a line at %s", ts, l.at)
	require.True(t, strings.HasSuffix(field(doc, "@timestamp").(string), "Z"), "@timestamp in UTC")
	for _, path := range []string{"event.id", "event.ingested", "ecs.version"} {
		require.NotEmpty(t, field(doc, path), path)
	}
	require.Equal(t, r.Hits[0].ID, field(doc, "event.id"))
	require.Regexp(t, `^trolly-demo\.[1-9][0-9]*-`+regexp.QuoteMeta(l.at.UTC().Format("2006.01.02"))+`$`, r.Hits[0].Index,
		"daily index of the tenant's key for 7 days of retention")
}

func checkQueries(t *testing.T, srv server, web []accessLine, ssh []string, from, to string) {
	count := func(keep func(accessLine) bool) int {
		n := 0
		for _, l := range web {
			if keep(l) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		q    string
		want int
	}{
		{"http.response.status_code:404", count(func(l accessLine) bool { return l.status == 404 })},
		{"url.original:/shop/item/1*", count(func(l accessLine) bool { return strings.HasPrefix(l.path, "/shop/item/1") })},
		{"http.request.method:GET -http.response.status_code:200", count(func(l accessLine) bool { return l.method == "GET" && l.status != 200 })},
		{"curl http.request.method:POST", count(func(l accessLine) bool { return strings.HasPrefix(l.agent, "curl") && l.method == "POST" })},
	}
	if len(ssh) > 0 {
		n := 0
		for _, l := range ssh {
			if hasPhrase(l, "invalid", "user") {
				n++
			}
		}
		require.Positive(t, n)
		tests = append(tests, struct {
			q    string
			want int
		}{`"Invalid user"`, n})
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			r := srv.search(t, demoRead, tt.q, from, to, 1000)
			require.Equal(t, tt.want, r.total(t))
			require.Len(t, r.Hits, min(tt.want, 1000))
			for i := 1; i < len(r.Hits); i++ {
				require.GreaterOrEqual(t, r.Hits[i-1].Timestamp, r.Hits[i].Timestamp, "newest first")
			}
		})
	}
	// The range is [from, to): the first access line is at web[0].at.
	r := srv.search(t, demoRead, "event.dataset:nginx_access", web[0].at.Format(time.RFC3339), web[10].at.Format(time.RFC3339), 100)
	require.Equal(t, 10, r.total(t))
}

func checkJSONEvents(t *testing.T, srv server, app []string, from, to string) {
	r := srv.search(t, acmeRead, "order.id:42", from, to, 10)
	require.Equal(t, 1, r.total(t))
	doc := r.Hits[0].Source
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(app[42]), &sent))
	require.Equal(t, "order 42 shipped to warehouse", field(doc, "message"))
	require.Equal(t, "info", field(doc, "log.level"))
	ts, err := time.Parse(time.RFC3339Nano, field(doc, "@timestamp").(string))
	require.NoError(t, err)
	sentTS, err := time.Parse(time.RFC3339Nano, sent["@timestamp"].(string))
	require.NoError(t, err)
	require.True(t, sentTS.Equal(ts))
	require.Regexp(t, `^trolly-acme\.[1-9][0-9]*-`+regexp.QuoteMeta(sentTS.Format("2006.01"))+`$`, r.Hits[0].Index,
		"monthly index of the tenant's key for 90 days of retention")
	require.Equal(t, len(app), srv.search(t, acmeRead, "warehouse", from, to, 1).total(t))
}

func checkTenantWalls(t *testing.T, srv server, from, to string, want map[string]int) {
	for _, q := range []string{"organization.id:demo", "alice", "http.response.status_code:404", "data_stream.namespace:web", "tags:_parse_failure"} {
		require.Positive(t, srv.search(t, demoRead, q, from, to, 10).total(t), "demo sees its own %q", q)
		require.Equal(t, 0, srv.search(t, acmeRead, q, from, to, 10).total(t), "acme must not see demo's %q", q)
	}
	for _, q := range []string{"organization.id:acme", "warehouse", "order.id:7"} {
		require.Positive(t, srv.search(t, acmeRead, q, from, to, 10).total(t), "acme sees its own %q", q)
		require.Equal(t, 0, srv.search(t, demoRead, q, from, to, 10).total(t), "demo must not see acme's %q", q)
	}
	for tenant, key := range map[string]string{"demo": demoRead, "acme": acmeRead} {
		r := srv.search(t, key, "", from, to, 1000)
		require.Equal(t, want[tenant], r.total(t))
		for _, h := range r.Hits {
			require.Equal(t, tenant, field(h.Source, "organization.id"))
			require.True(t, strings.HasPrefix(h.Index, "trolly-"+tenant+"."), h.Index)
		}
	}
}

func checkRefusals(t *testing.T, srv server, from, to string) {
	line := []string{`127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`}
	tests := []struct {
		name   string
		answer func() answer
		status int
		code   string
	}{
		{"read key cannot ingest", func() answer { return srv.ingest(t, demoRead, "web", "", line, false) }, 403, "forbidden"},
		{"other read key cannot ingest", func() answer { return srv.ingest(t, acmeRead, "web", "", line, false) }, 403, "forbidden"},
		{"ingest key cannot search", func() answer { return srv.searchRaw(t, demoIngest, "", from, to, 10) }, 403, "forbidden"},
		{"no key ingest", func() answer { return srv.ingest(t, "", "web", "", line, false) }, 401, "unauthenticated"},
		{"no key search", func() answer { return srv.searchRaw(t, "", "", from, to, 10) }, 401, "unauthenticated"},
		{"unknown key", func() answer { return srv.ingest(t, "nope", "web", "", line, false) }, 401, "unauthenticated"},
		{"unknown stream", func() answer { return srv.ingest(t, demoIngest, "nope", "", line, false) }, 404, "not_found"},
		{"body over the limit", func() answer {
			big := make([]string, 6) // 6 x 200 KiB: each line within its limit, the body over 1 MiB
			for i := range big {
				big[i] = strings.Repeat("x", 200<<10)
			}
			return srv.ingest(t, demoIngest, "raw", "", big, false)
		}, 413, "too_large"},
		{"bad ndjson", func() answer {
			return srv.ingest(t, acmeIngest, "app", "application/x-ndjson", []string{`{"ok":1}`, `{"broken":`}, false)
		}, 400, "invalid_body"},
		{"unsupported type", func() answer { return srv.ingest(t, demoIngest, "web", "application/xml", line, false) }, 415, "unsupported_media_type"},
		{"bad gzip", func() answer {
			return do(t, http.MethodPost, srv.ingestURL+"/ingest/v1/streams/web", demoIngest, map[string]string{"Content-Encoding": "gzip"}, []byte("not gzip"))
		}, 400, "invalid_body"},
		{"bad query", func() answer { return srv.searchRaw(t, demoRead, `"unclosed`, from, to, 10) }, 400, "invalid_argument"},
		{"bad limit", func() answer { return srv.searchRaw(t, demoRead, "", from, to, 5000) }, 400, "invalid_argument"},
		{"bad range", func() answer { return srv.searchRaw(t, demoRead, "", to, from, 10) }, 400, "invalid_argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.answer()
			require.Equal(t, tt.status, a.status, "body: %s", a.body)
			var e errorBody
			a.json(t, &e)
			require.Equal(t, tt.code, e.Code)
			require.NotEmpty(t, e.Message)
		})
	}
	a := srv.ingest(t, acmeIngest, "app", "application/x-ndjson", []string{`{"ok":1}`, `{"broken":`}, false)
	var e errorBody
	a.json(t, &e)
	require.Equal(t, 2, e.Line, "the error names the bad line")
}

func checkMetrics(t *testing.T, srv server, want map[string]int) {
	a := do(t, http.MethodGet, srv.adminURL+"/metrics", "", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	for tenant, n := range want {
		require.Contains(t, string(a.body), fmt.Sprintf(`trolly_ingest_records_total{protocol="native",tenant=%q} %d`, tenant, n))
	}
	a = do(t, http.MethodGet, srv.apiURL+"/api/openapi.json", "", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	var doc map[string]any
	a.json(t, &doc)
	require.Contains(t, doc["paths"], "/api/v1/search")
}

// readArchive decompresses every chunk under root and returns the event ids per tenant,
// checking that each event sits under its tenant, stream and hour. It reads through the
// archive's own listing, which skips chunks being written (or left half-written by a kill).
func readArchive(t *testing.T, root string) map[string]map[string]bool {
	bucket, err := fs.New(root)
	require.NoError(t, err)
	ids := map[string]map[string]bool{}
	for key, err := range bucket.List(t.Context(), "") {
		require.NoError(t, err)
		parts := strings.Split(key, "/")
		require.Len(t, parts, 7, "archive layout <tenant key>/<stream>/<yyyy>/<mm>/<dd>/<hh>/<chunk>.ndjson.zst: %s", key)
		require.Regexp(t, `^[a-z0-9-]+\.[1-9][0-9]*$`, parts[0], "the tenant's key")
		parts[0] = tenant.IDOfKey(parts[0])
		require.True(t, strings.HasSuffix(parts[6], ".ndjson.zst"), key)
		data, err := bucket.Get(t.Context(), key)
		require.NoError(t, err)
		docs, err := storage.ReadChunk(data)
		require.NoError(t, err, key)
		for _, raw := range docs {
			var doc map[string]any
			require.NoError(t, json.Unmarshal(raw, &doc), key)
			require.Equal(t, parts[0], field(doc, "organization.id"), key)
			require.Equal(t, parts[1], field(doc, "data_stream.namespace"), key)
			ts, err := time.Parse(time.RFC3339Nano, field(doc, "@timestamp").(string))
			require.NoError(t, err)
			require.Equal(t, strings.Join(parts[2:6], "/"), ts.UTC().Format("2006/01/02/15"), key)
			if ids[parts[0]] == nil {
				ids[parts[0]] = map[string]bool{}
			}
			ids[parts[0]][field(doc, "event.id").(string)] = true
		}
	}
	return ids
}
