package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// hecAnswer is HEC's answer body.
type hecAnswer struct {
	Text  string
	Code  int
	Event *int `json:"invalid-event-number"`
}

func decodeHEC(t *testing.T, body []byte) hecAnswer {
	t.Helper()
	var a hecAnswer
	require.NoError(t, json.Unmarshal(body, &a), string(body))
	return a
}

func TestHECEvents(t *testing.T) {
	f := newFixture(t, 0, nil)
	body := `{"time":1700000000.5,"host":"web-1","source":"/var/log/nginx/access.log","index":"web","event":"GET / 200"}` + "\n" +
		`{"time":1700000001,"sourcetype":"app","event":{"msg":"up"},"fields":{"env":"prod"}}` +
		`{"index":"web","event":"GET /a 404"}`
	w := f.send(t, http.MethodPost, "/services/collector/event", map[string]string{"Authorization": "Splunk demo-in", "Content-Encoding": "gzip"}, gz(t, body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Equal(t, hecAnswer{Text: "Success"}, decodeHEC(t, w.Body.Bytes()))

	got := batchesByStream(f.received(t))
	require.Len(t, got, 2)
	web := got["demo/web"].GetRecords()
	require.Len(t, web, 2)
	require.Equal(t, "GET / 200", string(web[0].GetData()))
	require.Equal(t, map[string]string{"@timestamp": "2023-11-14T22:13:20.5Z", "host.name": "web-1", "log.file.path": "/var/log/nginx/access.log"}, web[0].GetFields())
	require.Equal(t, "GET /a 404", string(web[1].GetData()))
	app := got["demo/app"].GetRecords()
	require.Len(t, app, 1)
	require.Equal(t, trollyv1.RecordFormat_RECORD_FORMAT_JSON, app[0].GetFormat())
	require.Equal(t, "prod", app[0].GetFields()["labels.env"])
	require.Equal(t, 3.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("demo", "hec")))
}

func TestHECRaw(t *testing.T) {
	f := newFixture(t, 0, nil)
	w := f.send(t, http.MethodPost, "/services/collector/raw?index=web&host=h1", map[string]string{"Authorization": basic("x", "demo-in")}, []byte("a\r\nb\n\nc"))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	got := f.received(t)
	require.Len(t, got, 1)
	require.Equal(t, "web", got[0].GetStream())
	require.Len(t, got[0].GetRecords(), 3)
	require.Equal(t, "h1", got[0].GetRecords()[2].GetFields()["host.name"])
}

func TestHECRefused(t *testing.T) {
	ev := func(index, line string) string { return `{"index":"` + index + `","event":"` + line + `"}` }
	tests := []struct {
		name, target, auth, body string
		status, code             int
		event                    int // -1: none
		reason                   string
		received                 int
	}{
		{"no token", "/services/collector/event", "", ev("web", "a"), 401, 2, -1, "unauthenticated", 0},
		{"malformed authorization", "/services/collector/event", "Splunk", ev("web", "a"), 401, 3, -1, "unauthenticated", 0},
		{"unknown token", "/services/collector/event", "Splunk nope", ev("web", "a"), 403, 4, -1, "unauthenticated", 0},
		{"read key", "/services/collector/event", "Splunk demo-rd", ev("web", "a"), 403, 4, -1, "forbidden", 0},
		{"token in the query", "/services/collector/event?token=demo-in", "", ev("web", "a"), 400, 16, -1, "unauthenticated", 0},
		{"incorrect index", "/services/collector/event", "Splunk demo-in", ev("web", "a") + ev("nope", "b") + ev("web", "c"), 400, 7, 1, "not_found", 1},
		{"no index", "/services/collector/event", "Splunk demo-in", `{"event":"a"}`, 400, 7, 0, "no_stream", 0},
		{"raw incorrect index", "/services/collector/raw?index=nope", "Splunk demo-in", "a\n", 400, 7, -1, "not_found", 0},
		{"bad event after a good one", "/services/collector/event", "Splunk demo-in", ev("web", "a") + `{"index":"web"}`, 400, 12, 1, "invalid_body", 1},
		{"no data", "/services/collector/event", "Splunk demo-in", "", 400, 5, -1, "invalid_body", 0},
		{"too many events", "/services/collector/event", "Splunk demo-in", ev("web", "a") + ev("web", "b") + ev("web", "c") + ev("web", "d"), 413, 6, 3, "too_large", 0},
		{"raw line too long", "/services/collector/raw?index=web", "Splunk demo-in", "a\n" + strings.Repeat("x", 101), 413, 6, -1, "too_large", 0},
		{"body too large", "/services/collector/raw?index=web", "Splunk demo-in", strings.Repeat("x\n", 501), 413, 6, -1, "too_large", 0},
		{"rate limited", "/services/collector/raw?index=web", "Splunk slow-in", "a\n", 429, 9, -1, "rate_limited", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, func(c *Config) { c.MaxRecords = 3 })
			f.gw.limits.get(mustTenant(t, f, "slow")).AllowN(f.now, 1000)
			w := f.send(t, http.MethodPost, tt.target, map[string]string{"Authorization": tt.auth}, []byte(tt.body))
			require.Equal(t, tt.status, w.Code, w.Body.String())
			a := decodeHEC(t, w.Body.Bytes())
			require.Equal(t, tt.code, a.Code, w.Body.String())
			if tt.event < 0 {
				require.Nil(t, a.Event)
			} else {
				require.NotNil(t, a.Event, w.Body.String())
				require.Equal(t, tt.event, *a.Event)
			}
			if tt.status == http.StatusTooManyRequests {
				require.Equal(t, "1", w.Header().Get("Retry-After"))
			}
			tenantID := map[string]string{"Splunk demo-in": "demo", "Splunk demo-rd": "demo", "Splunk slow-in": "slow"}[tt.auth]
			require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues(tenantID, "hec", tt.reason)))
			n := 0
			for _, b := range f.received(t) {
				require.Equal(t, "demo/web", b.GetTenantId()+"/"+b.GetStream())
				n += len(b.GetRecords())
			}
			require.Equal(t, tt.received, n, "the events before the bad one are kept, as Splunk does")
		})
	}
}

func TestHECQueueFull(t *testing.T) {
	f := newFixture(t, 1000, nil)
	body := []byte(strings.Repeat("0123456789\n", 30))
	target := "/services/collector/raw?index=web"
	auth := map[string]string{"Authorization": "Splunk demo-in"}
	require.Equal(t, http.StatusOK, f.send(t, http.MethodPost, target, auth, body).Code)
	w := f.send(t, http.MethodPost, target, auth, body)
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	require.Equal(t, 9, decodeHEC(t, w.Body.Bytes()).Code)
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	require.Len(t, f.received(t), 1)
}

func TestHECHealthAndAck(t *testing.T) {
	f := newFixture(t, 0, nil)
	w := f.send(t, http.MethodGet, "/services/collector/health", nil, nil)
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, 17, decodeHEC(t, w.Body.Bytes()).Code)
	w = f.send(t, http.MethodPost, "/services/collector/ack", map[string]string{"Authorization": "Splunk demo-in"}, []byte(`{"acks":[0]}`))
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Equal(t, 14, decodeHEC(t, w.Body.Bytes()).Code)
	f.gw.health.SetReady(false)
	w = f.send(t, http.MethodGet, "/services/collector/health/1.0", nil, nil)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, 18, decodeHEC(t, w.Body.Bytes()).Code)
}
