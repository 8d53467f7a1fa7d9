package gateway

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// send serves one request of any protocol; header values are set as given.
func (f *fixture) send(t *testing.T, method, target string, header map[string]string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.RemoteAddr = "192.0.2.7:4711"
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.gw.Handler().ServeHTTP(w, req)
	return w
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// crossTenant are requests with acme's key whose hints name demo's streams, or with
// demo's key naming acme's stream "other", in every protocol.
var crossTenant = []struct {
	name, method, target string
	header               map[string]string
	body                 string
	perItem              bool // Elasticsearch fails the item, not the request
}{
	{"esbulk index", "POST", "/_bulk", map[string]string{"Authorization": "Bearer acme-in"}, `{"index":{"_index":"web"}}` + "\n" + `{"message":"x"}` + "\n", true},
	{"esbulk path", "POST", "/app/_bulk", map[string]string{"Authorization": "Bearer acme-in"}, `{"create":{}}` + "\n" + `{"message":"x"}` + "\n", true},
	{"esbulk header", "POST", "/_bulk", map[string]string{"Authorization": "Bearer demo-in", StreamHeader: "other"}, `{"create":{}}` + "\n" + `{"message":"x"}` + "\n", false},
	{"esdoc index", "POST", "/web/_doc", map[string]string{"Authorization": "Bearer acme-in"}, `{"message":"x"}`, false},
	{"esdoc create", "PUT", "/app/_create/1", map[string]string{"Authorization": "ApiKey acme-in"}, `{"message":"x"}`, false},
	{"esdoc header", "POST", "/web/_doc", map[string]string{"Authorization": "Bearer demo-in", StreamHeader: "other"}, `{"message":"x"}`, false},
	{"loki label", "POST", "/loki/api/v1/push", map[string]string{"Authorization": "Bearer acme-in", "Content-Type": "application/json"}, `{"streams":[{"stream":{"stream":"web"},"values":[["1700000000000000000","x"]]}]}`, false},
	{"loki legacy path", "POST", "/api/prom/push", map[string]string{"Authorization": "Bearer acme-in", "Content-Type": "application/json"}, `{"streams":[{"stream":{"job":"app"},"values":[["1700000000000000000","x"]]}]}`, false},
	{"loki header", "POST", "/loki/api/v1/push", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json", StreamHeader: "other"}, `{"streams":[{"stream":{"job":"web"},"values":[["1700000000000000000","x"]]}]}`, false},
	{"otlp service", "POST", "/v1/logs", map[string]string{"Authorization": "Bearer acme-in", "Content-Type": "application/json"}, otlpJSON("web", "x"), false},
	{"otlp header", "POST", "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json", StreamHeader: "other"}, otlpJSON("web", "x"), false},
	{"hec index", "POST", "/services/collector/event", map[string]string{"Authorization": "Splunk acme-in"}, `{"event":"x","index":"web"}`, false},
	{"hec query", "POST", "/services/collector/raw?sourcetype=app", map[string]string{"Authorization": "Splunk acme-in"}, "x\n", false},
	{"hec header", "POST", "/services/collector/event", map[string]string{"Authorization": "Splunk demo-in", StreamHeader: "other"}, `{"event":"x","index":"other"}`, false},
}

func TestHintNeverReachesAnotherTenant(t *testing.T) {
	for _, tt := range crossTenant {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.send(t, tt.method, tt.target, tt.header, []byte(tt.body))
			if tt.perItem {
				require.Equal(t, http.StatusOK, w.Code, w.Body.String())
				require.Contains(t, w.Body.String(), `"errors":true`)
				require.Contains(t, w.Body.String(), `"status":404,"error":{"type":"index_not_found_exception"`)
			} else {
				require.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, w.Code, w.Body.String())
			}
			require.Empty(t, f.received(t), "nothing reaches any tenant")
		})
	}
}

func TestStreamHeaderWinsOverHints(t *testing.T) {
	tests := []struct {
		name, target string
		header       map[string]string
		body         string
		status       int
	}{
		{"esbulk", "/_bulk", map[string]string{"Authorization": "Bearer demo-in"}, `{"create":{"_index":"nope"}}` + "\n" + `{"message":"x"}` + "\n" + `{"create":{}}` + "\n" + `{"message":"y"}` + "\n", http.StatusOK},
		{"loki", "/loki/api/v1/push", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"}, `{"streams":[{"stream":{"job":"nope"},"values":[["1700000000000000000","x"],["1700000000000000001","y"]]}]}`, http.StatusNoContent},
		{"otlp", "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json"}, otlpJSON("nope", "x", "y"), http.StatusOK},
		{"hec", "/services/collector/event", map[string]string{"Authorization": "Splunk demo-in"}, `{"event":"x","index":"nope"}{"event":"y"}`, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			tt.header[StreamHeader] = "app"
			w := f.send(t, http.MethodPost, tt.target, tt.header, []byte(tt.body))
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.NotContains(t, w.Body.String(), `"errors":true`)
			got := f.received(t)
			require.Len(t, got, 1)
			require.Equal(t, "demo", got[0].GetTenantId())
			require.Equal(t, "app", got[0].GetStream())
			require.Len(t, got[0].GetRecords(), 2)
			require.Equal(t, 2.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", tt.name)))
		})
	}
}

func TestUnknownStreamHeader(t *testing.T) {
	f := newFixture(t, 0, nil)
	w := f.send(t, http.MethodPost, "/v1/logs", map[string]string{"Authorization": "Bearer demo-in", "Content-Type": "application/json", StreamHeader: "nope"}, []byte(otlpJSON("app", "x")))
	require.Equal(t, http.StatusNotFound, w.Code, w.Body.String())
	require.Contains(t, w.Body.String(), `stream \"nope\" not found`)
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("demo", "otlp", "not_found")))
	require.Empty(t, f.received(t))
}

func TestRoutesBesideTheProtocols(t *testing.T) {
	f := newFixture(t, 0, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		require.Equal(t, http.StatusOK, f.send(t, http.MethodGet, path, nil, nil).Code, path)
	}
	w := f.post(t, request{stream: "web", key: "demo-in", body: []byte("a\n")})
	require.Equal(t, http.StatusAccepted, w.Code, "the native endpoint still answers beside the root")
}

// TestNativeStreamHeader refuses a native request whose header names another stream than
// its path, and takes one whose header agrees.
func TestNativeStreamHeader(t *testing.T) {
	f := newFixture(t, 0, nil)
	for _, tt := range []struct {
		header string
		status int
	}{{"app", http.StatusBadRequest}, {"web", http.StatusAccepted}} {
		req := httptest.NewRequest(http.MethodPost, "/ingest/v1/streams/web", strings.NewReader("line\n"))
		req.Header.Set("Authorization", "Bearer demo-in")
		req.Header.Set(StreamHeader, tt.header)
		rec := httptest.NewRecorder()
		f.gw.Handler().ServeHTTP(rec, req)
		require.Equal(t, tt.status, rec.Code, "header %s: %s", tt.header, rec.Body)
	}
}
