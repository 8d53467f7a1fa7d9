package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// bulkAnswer is the part of Elasticsearch's bulk answer shippers read.
type bulkAnswer struct {
	Errors bool
	Items  []map[string]struct {
		Index  string `json:"_index"`
		Status int
		Error  *struct{ Type, Reason string }
	}
}

func decodeBulk(t *testing.T, body []byte) bulkAnswer {
	t.Helper()
	var a bulkAnswer
	require.NoError(t, json.Unmarshal(body, &a), string(body))
	return a
}

func mustTenant(t *testing.T, f *fixture, id string) tenant.Tenant {
	t.Helper()
	tn, err := f.gw.dir.Tenant(context.Background(), id)
	require.NoError(t, err)
	return tn
}

func ndjson(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func TestESBulk(t *testing.T) {
	f := newFixture(t, 0, nil)
	body := ndjson(
		`{"index":{"_index":"web","_id":"1"}}`, `{"message":"GET / 200"}`,
		`{"create":{"_index":"app"}}`, `{"message":"started","level":"info"}`,
		`{"create":{"_index":"filebeat-8.19.0"}}`, `{"message":"lost"}`,
		`{"update":{"_index":"web","_id":"1"}}`, `{"doc":{}}`,
		`{"index":{}}`, `{"message":"to the path's index"}`,
	)
	apiKey := "ApiKey " + base64.StdEncoding.EncodeToString([]byte("beats:demo-in"))
	w := f.send(t, http.MethodPost, "/web/_bulk", map[string]string{"Authorization": apiKey, "Content-Encoding": "gzip", "Content-Type": "application/x-ndjson"}, gz(t, body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, "Elasticsearch", w.Header().Get("X-Elastic-Product"))
	a := decodeBulk(t, w.Body.Bytes())
	require.True(t, a.Errors)
	var statuses []int
	for _, it := range a.Items {
		for _, r := range it {
			statuses = append(statuses, r.Status)
		}
	}
	require.Equal(t, []int{201, 201, 404, 400, 201}, statuses)
	require.Equal(t, "index_not_found_exception", a.Items[2]["create"].Error.Type)

	got := f.received(t)
	require.Len(t, got, 2, "one batch per stream")
	streams := map[string]*trollyv1.RawBatch{got[0].GetStream(): got[0], got[1].GetStream(): got[1]}
	web, app := streams["web"], streams["app"]
	require.Equal(t, "demo", web.GetTenantId())
	require.Equal(t, "nginx_access", web.GetSourceType())
	require.Len(t, web.GetRecords(), 2)
	require.Equal(t, `{"message":"GET / 200"}`, string(web.GetRecords()[0].GetData()))
	require.Equal(t, trollyv1.RecordFormat_RECORD_FORMAT_JSON, web.GetRecords()[0].GetFormat())
	require.Equal(t, `{"message":"to the path's index"}`, string(web.GetRecords()[1].GetData()))
	require.Len(t, app.GetRecords(), 1)
	require.Equal(t, "json", app.GetSourceType())

	require.Equal(t, 3.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "esbulk")))
	require.Equal(t, float64(len(body)), testutil.ToFloat64(f.gw.metrics.bytes.WithLabelValues("demo", "esbulk")))
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.droppedRecords.WithLabelValues("demo", "esbulk", "not_found")))
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.droppedRecords.WithLabelValues("demo", "esbulk", "invalid")))
}

func TestESCredentials(t *testing.T) {
	body := []byte(ndjson(`{"create":{"_index":"web"}}`, `{"message":"x"}`))
	tests := []struct {
		name, auth string
		status     int
		errType    string
	}{
		{"api key id:key", "ApiKey " + base64.StdEncoding.EncodeToString([]byte("id:demo-in")), 200, ""},
		{"api key as is", "ApiKey demo-in", 200, ""},
		{"basic", basic("elastic", "demo-in"), 200, ""},
		{"bearer", "Bearer demo-in", 200, ""},
		{"none", "", 401, "security_exception"},
		{"unknown key", "ApiKey nope", 401, "security_exception"},
		{"read key", basic("elastic", "demo-rd"), 403, "security_exception"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, http.MethodPost, "/_bulk", map[string]string{"Authorization": tt.auth}, body)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			if tt.status == http.StatusOK {
				require.False(t, decodeBulk(t, w.Body.Bytes()).Errors)
				require.Len(t, f.received(t), 1)
				return
			}
			var e struct {
				Error  struct{ Type string }
				Status int
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			require.Equal(t, tt.errType, e.Error.Type)
			require.Equal(t, tt.status, e.Status)
			if tt.status == http.StatusUnauthorized {
				require.NotEmpty(t, w.Header().Values("WWW-Authenticate"))
			}
			require.Empty(t, f.received(t))
		})
	}
}

func TestESLimits(t *testing.T) {
	doc := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(`{"create":{"_index":"web"}}` + "\n" + `{"message":"x"}` + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name    string
		key     string
		body    string
		status  int
		errType string
		retry   string
	}{
		{"body too large", "demo-in", doc(30), 413, "illegal_argument_exception", ""},
		{"too many actions", "demo-in", doc(4), 413, "illegal_argument_exception", ""},
		{"rate limited", "slow-in", doc(2), 429, "es_rejected_execution_exception", "1"},
		{"malformed", "demo-in", "{\"create\":\n", 400, "illegal_argument_exception", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, func(c *Config) { c.MaxRecords = 3 })
			if tt.key == "slow-in" {
				f.gw.limits.get(mustTenant(t, f, "slow")).AllowN(f.now, 1000) // spend the burst
			}
			w := f.send(t, http.MethodPost, "/_bulk", map[string]string{"Authorization": "ApiKey " + tt.key}, []byte(tt.body))
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), `"type":"`+tt.errType+`"`)
			require.Equal(t, tt.retry, w.Header().Get("Retry-After"))
			require.Empty(t, f.received(t))
		})
	}
}

func TestESQueueFullFailsItems(t *testing.T) {
	f := newFixture(t, 1000, nil)
	// Fill most of the queue, leaving room for a small batch and not a large one.
	fill := strings.Repeat(strings.Repeat("f", 99)+"\n", 6)
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: []byte(fill)}).Code)
	big := `{"message":"` + strings.Repeat("w", 85) + `"}`
	body := ndjson(
		`{"create":{"_index":"web"}}`, big,
		`{"create":{"_index":"web"}}`, big,
		`{"create":{"_index":"web"}}`, big,
		`{"create":{"_index":"app"}}`, `{"message":"small"}`,
	)
	w := f.send(t, http.MethodPost, "/_bulk", map[string]string{"Authorization": "Bearer demo-in"}, []byte(body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	a := decodeBulk(t, w.Body.Bytes())
	require.True(t, a.Errors)
	for i, it := range a.Items {
		want := http.StatusTooManyRequests
		if i == 3 {
			want = http.StatusCreated
		}
		require.Equal(t, want, it["create"].Status, "item %d", i)
	}
	require.Equal(t, "es_rejected_execution_exception", a.Items[0]["create"].Error.Type)
	got := f.received(t)
	require.Len(t, got, 2, "the filler and the small batch")
	sizes := map[string]int{got[0].GetStream(): len(got[0].GetRecords()), got[1].GetStream(): len(got[1].GetRecords())}
	require.Equal(t, map[string]int{"web": 6, "app": 1}, sizes)
	require.Equal(t, 3.0, testutil.ToFloat64(f.gw.metrics.droppedRecords.WithLabelValues("demo", "esbulk", "unavailable")))
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "esbulk")))
}

func TestESProbes(t *testing.T) {
	tests := []struct {
		name, method, path, auth string
		status                   int
		contains                 string
	}{
		{"root without a key", "GET", "/", "", 200, `"number":"8.19.0"`},
		{"root with a key", "GET", "/", "ApiKey demo-in", 200, `"tagline":"You Know, for Search"`},
		{"root with a bad key", "GET", "/", "ApiKey nope", 401, "security_exception"},
		{"root with a read key", "GET", "/", "ApiKey demo-rd", 403, "security_exception"},
		{"head root", "HEAD", "/", "", 200, ""},
		{"license", "GET", "/_license", "ApiKey demo-in", 200, `"type":"basic"`},
		{"xpack", "GET", "/_xpack", "ApiKey demo-in", 200, `"features"`},
		{"template", "PUT", "/_index_template/filebeat", "ApiKey demo-in", 200, `"acknowledged":true`},
		{"unknown", "GET", "/_cat/indices", "ApiKey demo-in", 400, "no handler found"},
		{"bulk by GET", "GET", "/_bulk", "", 400, "no handler found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, tt.method, tt.path, map[string]string{"Authorization": tt.auth}, nil)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), tt.contains)
			require.Equal(t, "Elasticsearch", w.Header().Get("X-Elastic-Product"))
		})
	}
}
