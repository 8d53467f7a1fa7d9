package gateway

import (
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protowire"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// lokiProto builds a snappy PushRequest as Promtail sends it (grafana/loki push.proto): one
// stream per label string, each entry a line at second sec.
func lokiPush(streams map[string][]string, sec int64) []byte {
	msg := func(b []byte, num protowire.Number, m []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), m)
	}
	var push []byte
	for labels, lines := range streams {
		s := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), labels)
		for _, line := range lines {
			ts := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), uint64(sec))
			e := msg(nil, 1, ts)
			e = protowire.AppendString(protowire.AppendTag(e, 2, protowire.BytesType), line)
			s = msg(s, 2, e)
		}
		push = msg(push, 1, s)
	}
	return snappy.Encode(nil, push)
}

func batchesByStream(batches []*trollyv1.RawBatch) map[string]*trollyv1.RawBatch {
	m := map[string]*trollyv1.RawBatch{}
	for _, b := range batches {
		m[b.GetTenantId()+"/"+b.GetStream()] = b
	}
	return m
}

func TestLokiPush(t *testing.T) {
	jsonPush := `{"streams":[` +
		`{"stream":{"stream":"web","host":"h1"},"values":[["1700000000000000001","GET / 200"],["1700000000000000002","GET /a 404",{"trace_id":"abc"}]]},` +
		`{"stream":{"job":"app"},"values":[["1700000000000000003","{\"msg\":\"up\"}"]]}]}`
	tests := []struct {
		name   string
		header map[string]string
		body   []byte
	}{
		{"json gzip basic auth", map[string]string{"Authorization": basic("tenant1", "demo-in"), "Content-Type": "application/json", "Content-Encoding": "gzip"}, gz(t, jsonPush)},
		{"protobuf bearer", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/x-protobuf"},
			lokiPush(map[string][]string{`{host="h1", stream="web"}`: {"GET / 200", "GET /a 404"}, `{job="app"}`: {`{"msg":"up"}`}}, 1700000000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, http.MethodPost, "/loki/api/v1/push", tt.header, tt.body)
			require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
			got := batchesByStream(f.received(t))
			require.Len(t, got, 2)
			web, app := got["demo/web"], got["demo/app"]
			require.Len(t, web.GetRecords(), 2)
			require.Equal(t, "GET / 200", string(web.GetRecords()[0].GetData()))
			require.Equal(t, "GET /a 404", string(web.GetRecords()[1].GetData()))
			fields := web.GetRecords()[0].GetFields()
			require.Equal(t, "h1", fields["labels.host"])
			require.Equal(t, "web", fields["labels.stream"])
			require.Contains(t, fields["@timestamp"], "2023-11-14T22:13:20")
			require.Len(t, app.GetRecords(), 1)
			require.Equal(t, "app", app.GetRecords()[0].GetFields()["labels.job"])
			require.Equal(t, 3.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "loki")))
		})
	}
}

func TestLokiRefused(t *testing.T) {
	push := func(streams ...string) []byte {
		return []byte(`{"streams":[` + strings.Join(streams, ",") + `]}`)
	}
	entry := func(labels, line string) string {
		return `{"stream":` + labels + `,"values":[["1700000000000000000","` + line + `"]]}`
	}
	long := strings.Repeat("x", 101)
	tests := []struct {
		name     string
		key      string
		body     []byte
		status   int
		msg      string
		reason   string // of the refused request, "" when it was partly taken
		received int
	}{
		{"no key", "", push(entry(`{"job":"web"}`, "a")), 401, "Bearer", "unauthenticated", 0},
		{"read key", "demo-rd", push(entry(`{"job":"web"}`, "a")), 403, "may not ingest", "forbidden", 0},
		{"no stream label", "demo-in", push(entry(`{"host":"h"}`, "a")), 400, "set the label stream (or job)", "no_stream", 0},
		{"unknown stream", "demo-in", push(entry(`{"job":"nope"}`, "a")), 404, `stream "nope" not found`, "not_found", 0},
		{"one stream unknown", "demo-in", push(entry(`{"job":"nope"}`, "a"), entry(`{"job":"web"}`, "b")), 400, "1 entries dropped, the others stored", "", 1},
		{"line too long", "demo-in", push(entry(`{"job":"web"}`, long), entry(`{"job":"web"}`, "b")), 400, "101 bytes", "", 1},
		{"too many entries", "demo-in", push(entry(`{"job":"web"}`, "a"), entry(`{"job":"web"}`, "b"), entry(`{"job":"web"}`, "c")), 413, "2", "too_large", 0},
		{"body too large", "demo-in", push(entry(`{"job":"web"}`, strings.Repeat("y", 1000))), 413, "1000 bytes", "too_large", 0},
		{"not a push", "demo-in", []byte(`{"streams":`), 400, "", "invalid_body", 0},
		{"rate limited", "slow-in", push(entry(`{"job":"web"}`, "a")), 429, "rate", "rate_limited", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, func(c *Config) { c.MaxRecords = 2 })
			f.gw.limits.get(mustTenant(t, f, "slow")).AllowN(f.now, 1000)
			h := map[string]string{"Content-Type": "application/json"}
			if tt.key != "" {
				h["Authorization"] = "Bearer " + tt.key
			}
			w := f.send(t, http.MethodPost, "/loki/api/v1/push", h, tt.body)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), tt.msg)
			if tt.status == http.StatusTooManyRequests {
				require.Equal(t, "1", w.Header().Get("Retry-After"))
			}
			if tt.reason != "" {
				tenantID := map[string]string{"demo-in": "demo", "demo-rd": "demo", "slow-in": "slow"}[tt.key]
				require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues(tenantID, "loki", tt.reason)))
			}
			got := f.received(t)
			n := 0
			for _, b := range got {
				require.Equal(t, "demo/web", b.GetTenantId()+"/"+b.GetStream())
				n += len(b.GetRecords())
			}
			require.Equal(t, tt.received, n)
		})
	}
}

// TestLokiLegacyPath serves /api/prom/push, where Promtail and older clients push, as
// /loki/api/v1/push. Its legacy JSON form ("labels" and "entries") is refused, not taken
// as an empty push.
func TestLokiLegacyPath(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		body   []byte
		status int
		stored int
	}{
		{"promtail protobuf", map[string]string{"Authorization": basic("promtail", "demo-in"), "Content-Type": "application/x-protobuf"},
			lokiPush(map[string][]string{`{job="web", host="h1"}`: {"GET / 200", "GET /a 404"}}, 1700000000), http.StatusNoContent, 2},
		{"v1 json", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"},
			[]byte(`{"streams":[{"stream":{"stream":"app"},"values":[["1700000000000000000","up"]]}]}`), http.StatusNoContent, 1},
		{"legacy json", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"},
			[]byte(`{"streams":[{"labels":"{job=\"web\"}","entries":[{"ts":"2023-11-14T22:13:20Z","line":"x"}]}]}`), http.StatusBadRequest, 0},
		{"no key", map[string]string{"Content-Type": "application/x-protobuf"}, lokiPush(map[string][]string{`{job="web"}`: {"x"}}, 1700000000), http.StatusUnauthorized, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, http.MethodPost, "/api/prom/push", tt.header, tt.body)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			n := 0
			for _, b := range f.received(t) {
				require.Equal(t, "demo", b.GetTenantId())
				n += len(b.GetRecords())
			}
			require.Equal(t, tt.stored, n)
		})
	}
}
