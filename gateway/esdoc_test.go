package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// docAnswer is Elasticsearch's answer to a created document.
type docAnswer struct {
	Index  string `json:"_index"`
	ID     string `json:"_id"`
	Result string
	Shards struct{ Total, Successful, Failed int } `json:"_shards"`
}

func TestESDoc(t *testing.T) {
	tests := []struct {
		name, method, target string
		header               map[string]string
		body                 []byte
		stream, id, record   string // id "" is a generated one
	}{
		{"post, gzip, basic", "POST", "/web/_doc", map[string]string{"Authorization": basic("elastic", "demo-in"), "Content-Encoding": "gzip", "Content-Type": "application/json"},
			gz(t, `{"message":"GET / 200"}`), "web", "", `{"message":"GET / 200"}`},
		{"put with id, pretty", "PUT", "/app/_doc/42", map[string]string{"Authorization": "ApiKey demo-in"},
			[]byte("{\n  \"message\": \"started\",\n  \"level\": \"info\"\n}\n"), "app", "42", `{"message":"started","level":"info"}`},
		{"post with id", "POST", "/app/_doc/43", map[string]string{"Authorization": "Bearer demo-in"}, []byte(`{"message":"x"}`), "app", "43", `{"message":"x"}`},
		{"create", "PUT", "/app/_create/a%2Fb", map[string]string{"Authorization": "Bearer demo-in"}, []byte(`{"message":"y"}`), "app", "a/b", `{"message":"y"}`},
		{"post create", "POST", "/web/_create/7", map[string]string{"Authorization": "Bearer demo-in"}, []byte(`{"message":"z"}`), "web", "7", `{"message":"z"}`},
		{"stream header wins", "POST", "/logs-generic-default/_doc", map[string]string{"Authorization": "Bearer demo-in", StreamHeader: "app"}, []byte(`{"message":"h"}`), "app", "", `{"message":"h"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, tt.method, tt.target, tt.header, tt.body)
			require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
			require.Equal(t, "Elasticsearch", w.Header().Get("X-Elastic-Product"))
			var a docAnswer
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &a), w.Body.String())
			require.Equal(t, "created", a.Result)
			require.Equal(t, 1, a.Shards.Successful)
			index, _, _ := strings.Cut(strings.TrimPrefix(tt.target, "/"), "/")
			require.Equal(t, index, a.Index)
			if tt.id == "" {
				require.Len(t, a.ID, 26, "a ULID")
			} else {
				require.Equal(t, tt.id, a.ID)
			}
			require.Equal(t, "/"+index+"/_doc/"+strings.ReplaceAll(a.ID, "/", "%2F"), w.Header().Get("Location"))
			got := f.received(t)
			require.Len(t, got, 1)
			require.Equal(t, "demo", got[0].GetTenantId())
			require.Equal(t, tt.stream, got[0].GetStream())
			require.Len(t, got[0].GetRecords(), 1)
			require.Equal(t, tt.record, string(got[0].GetRecords()[0].GetData()))
			require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "esbulk")))
		})
	}
}

func TestESDocRefused(t *testing.T) {
	doc := []byte(`{"message":"x"}`)
	tests := []struct {
		name, method, target, auth string
		body                       []byte
		status                     int
		errType, retry             string
	}{
		{"unknown index", "POST", "/nope/_doc", "Bearer demo-in", doc, 404, "index_not_found_exception", ""},
		{"bad index name", "POST", "/Web/_doc", "Bearer demo-in", doc, 400, "invalid_index_name_exception", ""},
		{"not an object", "POST", "/web/_doc", "Bearer demo-in", []byte(`["x"]`), 400, "document_parsing_exception", ""},
		{"malformed", "PUT", "/web/_doc/1", "Bearer demo-in", []byte(`{"message":`), 400, "document_parsing_exception", ""},
		{"bad gzip", "POST", "/web/_doc", "Bearer demo-in", []byte("\x1f\x8bnot gzip"), 400, "illegal_argument_exception", ""},
		{"empty", "POST", "/web/_doc", "Bearer demo-in", nil, 400, "parse_exception", ""},
		{"no key", "POST", "/web/_doc", "", doc, 401, "security_exception", ""},
		{"unknown key", "POST", "/web/_doc", "ApiKey nope", doc, 401, "security_exception", ""},
		{"read key", "POST", "/web/_doc", "ApiKey demo-rd", doc, 403, "security_exception", ""},
		{"document over the line limit", "POST", "/web/_doc", "Bearer demo-in", []byte(`{"message":"` + strings.Repeat("x", 100) + `"}`), 413, "illegal_argument_exception", ""},
		{"body over the limit", "POST", "/web/_doc", "Bearer demo-in", []byte(`{"message":"` + strings.Repeat("x", 1000) + `"}`), 413, "illegal_argument_exception", ""},
		{"rate limited", "POST", "/web/_doc", "Bearer slow-in", doc, 429, "es_rejected_execution_exception", "1"},
		{"put without id", "PUT", "/web/_doc", "Bearer demo-in", doc, 400, "illegal_argument_exception", ""},
		{"read a document", "GET", "/web/_doc/1", "Bearer demo-in", nil, 400, "illegal_argument_exception", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			f.gw.limits.get(mustTenant(t, f, "slow")).AllowN(f.now, 1000) // spend the burst
			h := map[string]string{"Authorization": tt.auth}
			if tt.name == "bad gzip" {
				h["Content-Encoding"] = "gzip"
			}
			w := f.send(t, tt.method, tt.target, h, tt.body)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			var e struct {
				Error  struct{ Type, Reason string }
				Status int
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
			require.Equal(t, tt.errType, e.Error.Type, e.Error.Reason)
			require.Equal(t, tt.status, e.Status)
			require.Equal(t, tt.retry, w.Header().Get("Retry-After"))
			require.Equal(t, "Elasticsearch", w.Header().Get("X-Elastic-Product"))
			require.Empty(t, f.received(t))
		})
	}
}

func TestESDocQueueFull(t *testing.T) {
	f := newFixture(t, 1000, nil)
	fill := strings.Repeat(strings.Repeat("f", 99)+"\n", 8)
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: []byte(fill)}).Code)
	w := f.send(t, http.MethodPost, "/web/_doc", map[string]string{"Authorization": "Bearer demo-in"}, []byte(`{"message":"`+strings.Repeat("w", 80)+`"}`))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), `"type":"unavailable_shards_exception"`)
	require.NotEmpty(t, w.Header().Get("Retry-After"))
	require.Len(t, f.received(t), 1, "only the filler")
}
