package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/tenant"
)

// withBacklogBudget moves f's gateway to a queue whose backlog budget is budget bytes.
func withBacklogBudget(t *testing.T, f *fixture, budget int64) *fixture {
	return withBudgets(t, f, budget, 0)
}

// withBudgets moves f's gateway to a queue whose backlog budget is total bytes, and each
// tenant's share tenant bytes (0: the default).
func withBudgets(t *testing.T, f *fixture, total, tenant int64) *fixture {
	t.Helper()
	qc := memory.Config{MaxBacklogBytes: total, MaxTenantBacklogBytes: tenant}
	qc.ApplyDefaults()
	q, err := memory.New(qc, nil)
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	require.NoError(t, q.Declare(context.Background(), queue.TopicRaw, queue.GroupProcessor))
	f.q, f.reg = q, prometheus.NewRegistry()
	f.gw = New(f.gw.cfg, f.gw.dir, q, slog.New(slog.DiscardHandler), f.reg)
	f.gw.now = func() time.Time { return f.now }
	return f
}

// While nothing consumes the queue (a sink that cannot write holds everything upstream),
// the gateway takes input until the backlog passes its budget, then answers 503 with
// Retry-After; what it accepted is all there once consumed, and it accepts again.
func TestBacklogOverBudget(t *testing.T) {
	f := withBacklogBudget(t, newFixture(t, 0, nil), 2000)
	body := []byte(strings.Repeat("0123456789\n", 30))
	accepted := 0
	var refused *httptest.ResponseRecorder
	for range 50 {
		w := f.post(t, request{stream: "web", key: "demo-in", body: body})
		if w.Code != http.StatusAccepted {
			refused = w
			break
		}
		accepted++
	}
	require.NotNil(t, refused, "the gateway never refused")
	require.Positive(t, accepted)
	require.Equal(t, http.StatusServiceUnavailable, refused.Code, refused.Body.String())
	require.Equal(t, "1", refused.Header().Get("Retry-After"))
	require.Contains(t, refused.Body.String(), `"code":"backlog_full"`)
	require.Contains(t, refused.Body.String(), "backlog")
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("demo", "native", "backlog_full")))

	records := 0
	for _, b := range f.received(t) {
		records += len(b.GetRecords())
	}
	require.Equal(t, accepted*30, records, "every accepted record is kept")
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: body}).Code,
		"accepted again once the backlog is consumed")
}

// Over TCP, syslog has no 503: reading pauses until the backlog is consumed, and nothing is
// dropped.
func TestSyslogBacklogPausesReading(t *testing.T) {
	f := withBacklogBudget(t, newSyslogFixture(t, 0, func(c *Config) { c.Syslog.BatchRecords = 1 }), 1000)
	addr, _ := f.serveSyslog(t, nil)
	m := msg("app", `[auth@32473 token="a-in"]`, strings.Repeat("q", 560)) // two batches pass the budget
	send(t, addr, counted(m, m))
	waitUntil(t, "a pause", metricAt(f.gw.syslog.paused.WithLabelValues("a", "syslog-tcp", reasonBacklog), positive))
	require.Len(t, f.waitRecords(t, 2), 2, "consuming the backlog lets the second batch in")
	require.Zero(t, testutil.CollectAndCount(f.gw.syslog.dropped))
}

// A tenant over its own share of the backlog gets 429 tenant_backlog_full with Retry-After,
// and the others go on until the whole backlog is over its budget: then everyone gets 503
// backlog_full; once the backlog is over its budget the gateway is not ready, saying why.
// Consuming lets both in again.
func TestTenantBacklogOverBudget(t *testing.T) {
	f := withBudgets(t, newFixture(t, 0, nil), 3000, 2000)
	body := []byte(strings.Repeat("0123456789\n", 30))
	demo := request{stream: "web", key: "demo-in", body: body}
	acme := request{stream: "other", key: "acme-in", body: []byte(strings.Repeat("abcdefghij\n", 30))}
	refused := postUntilRefused(t, f, demo)
	require.Equal(t, http.StatusTooManyRequests, refused.Code, refused.Body.String())
	require.Equal(t, "1", refused.Header().Get("Retry-After"))
	require.Contains(t, refused.Body.String(), `"code":"tenant_backlog_full"`)
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("demo", "native", reasonTenantBacklog)))
	require.Greater(t, f.q.TenantBacklog("demo").Bytes, int64(2000)-int64(len(body)))
	require.Zero(t, f.q.TenantBacklog("acme").Bytes, "demo's backlog is not acme's")
	require.NoError(t, f.gw.Ready())
	require.Equal(t, http.StatusOK, f.get(t, "/readyz").Code)

	w := f.post(t, acme)
	require.Equal(t, http.StatusAccepted, w.Code, "another tenant is still accepted: %s", w.Body.String())
	refused = postUntilRefused(t, f, acme)
	require.Equal(t, http.StatusServiceUnavailable, refused.Code, refused.Body.String())
	require.Contains(t, refused.Body.String(), `"code":"backlog_full"`)
	require.Equal(t, "1", refused.Header().Get("Retry-After"))
	require.LessOrEqual(t, f.q.TenantBacklog("acme").Bytes, int64(2000), "acme stayed within its own budget")
	w = f.post(t, demo)
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "over the whole budget, every tenant: %s", w.Body.String())
	require.Equal(t, http.StatusOK, f.get(t, "/readyz").Code, "not over the budget yet: the next batch would be")
	// The layers inside publish past the budget: the processor's events.
	extra, err := proto.Marshal(&trollyv1.RawBatch{TenantId: "acme", Stream: "other", Records: []*trollyv1.RawRecord{{Data: body}}})
	require.NoError(t, err)
	require.NoError(t, f.q.Publish(t.Context(), queue.TopicRaw, queue.Message{Key: "acme/other", Body: extra}))
	ready := f.get(t, "/readyz")
	require.Equal(t, http.StatusServiceUnavailable, ready.Code)
	require.Contains(t, ready.Body.String(), "over its budget of 3000 (max_backlog_bytes)")
	require.ErrorContains(t, f.gw.Ready(), "max_backlog_bytes")

	f.received(t)
	require.Equal(t, http.StatusAccepted, f.post(t, demo).Code, "accepted again once the backlog is consumed")
	require.Equal(t, http.StatusAccepted, f.post(t, acme).Code)
	require.Equal(t, http.StatusOK, f.get(t, "/readyz").Code)
}

// postUntilRefused posts r until it is refused, and returns the refusal.
func postUntilRefused(t *testing.T, f *fixture, r request) *httptest.ResponseRecorder {
	t.Helper()
	for range 100 {
		if w := f.post(t, r); w.Code != http.StatusAccepted {
			return w
		}
	}
	require.FailNow(t, "never refused")
	return nil
}

func (f *fixture) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	f.gw.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

// A batch larger than the tenant's whole budget still goes in when the tenant has nothing
// queued: refusing it would be for ever.
func TestTenantBacklogTakesOneLargeBatch(t *testing.T) {
	f := withBudgets(t, newFixture(t, 0, nil), 100000, 100)
	w := f.post(t, request{stream: "web", key: "demo-in", body: []byte(strings.Repeat("0123456789\n", 30))})
	require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
	w = f.post(t, request{stream: "web", key: "demo-in", body: []byte("one\n")})
	require.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
}

// Over TCP, a tenant over its share pauses reading as a full backlog does; UDP drops and
// counts, by reason.
func TestSyslogTenantBacklog(t *testing.T) {
	f := withBudgets(t, newSyslogFixture(t, 0, func(c *Config) { c.Syslog.BatchRecords = 1 }), 1<<20, 1000)
	addr, _ := f.serveSyslog(t, nil)
	m := msg("app", `[auth@32473 token="a-in"]`, strings.Repeat("q", 560)) // two batches pass the budget
	send(t, addr, counted(m, m))
	waitUntil(t, "a pause", metricAt(f.gw.syslog.paused.WithLabelValues("a", "syslog-tcp", reasonTenantBacklog), positive))
	require.Len(t, f.waitRecords(t, 2), 2, "consuming the backlog lets the second batch in")
	require.Zero(t, testutil.CollectAndCount(f.gw.syslog.dropped))

	c := f.serveUDP(t)
	datagrams(t, c, m, m, msg("app", `[auth@32473 token="b-in"]`, "for b"))
	waitUntil(t, "a drop", metricAt(f.gw.syslog.dropped.WithLabelValues("a", "syslog-udp", reasonTenantBacklog), positive))
	bs := f.waitRecords(t, 2)
	require.ElementsMatch(t, []string{"a/syslog", "b/syslog"}, []string{bs[0].GetTenantId() + "/" + bs[0].GetStream(), bs[1].GetTenantId() + "/" + bs[1].GetStream()},
		"a's first batch and b's")
}

// Every HTTP protocol answers a tenant over its share with its own 429, which shippers
// retry, and Retry-After.
func TestTenantBacklogProtocols(t *testing.T) {
	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		contains                              string
	}{
		{"es bulk", "POST", "/_bulk", "application/x-ndjson", ndjson(`{"create":{"_index":"web"}}`, `{"message":"a"}`), 200, "es_rejected_execution_exception"},
		{"es doc", "POST", "/web/_doc", "application/json", `{"message":"a"}`, 429, "es_rejected_execution_exception"},
		{"hec", "POST", "/services/collector/raw?index=web", "text/plain", "a\n", 429, `"code":9`},
		{"loki", "POST", "/loki/api/v1/push", "application/json", `{"streams":[{"stream":{"job":"web"},"values":[["1700000000000000000","a"]]}]}`, 429, "backlog"},
		{"otlp", "POST", "/v1/logs", "application/json", otlpJSON("web", "a"), 429, "backlog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withBudgets(t, newFixture(t, 0, nil), 100000, 100)
			require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: []byte("fill\n")}).Code)
			auth := "Bearer demo-in"
			if tt.name == "hec" {
				auth = "Splunk demo-in"
			}
			w := f.send(t, tt.method, tt.path, map[string]string{"Authorization": auth, "Content-Type": tt.contentType}, []byte(tt.body))
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Contains(t, w.Body.String(), tt.contains)
			if tt.status == http.StatusTooManyRequests {
				require.Equal(t, "1", w.Header().Get("Retry-After"))
			}
		})
	}
}

// A plan's max_backlog_bytes overrides the queue's share for its tenants, up or down.
func TestTenantBacklogOfThePlan(t *testing.T) {
	key := func(secret string) []tenant.KeyConfig {
		return []tenant.KeyConfig{{Name: "in", Scope: tenant.ScopeIngest, Hash: tenant.HashKey(secret)}}
	}
	web := []tenant.StreamConfig{{Name: "web", SourceType: "text"}}
	dir, err := tenant.NewStatic([]tenant.Config{
		{ID: "plain", Keys: key("plain-in"), Streams: web},
		{ID: "big", Limits: tenant.Limits{MaxBacklogBytes: 4000}, Keys: key("big-in"), Streams: web},
		{ID: "tiny", Limits: tenant.Limits{MaxBacklogBytes: 100}, Keys: key("tiny-in"), Streams: web},
	})
	require.NoError(t, err)
	var cfg Config
	cfg.ApplyDefaults()
	f := withBudgets(t, fixtureOn(t, dir, 0, cfg), 100000, 1000)
	body := []byte(strings.Repeat("0123456789\n", 30))
	for _, tc := range []struct {
		tenant      string
		least, most int64
	}{
		{"plain", 1000 - 600, 1000}, // a batch is about 560 bytes
		{"big", 4000 - 600, 4000},
		{"tiny", 1, 600}, // one batch: a tenant with nothing queued is taken
	} {
		w := postUntilRefused(t, f, request{stream: "web", key: tc.tenant + "-in", body: body})
		require.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
		held := f.q.TenantBacklog(tc.tenant).Bytes
		require.True(t, held >= tc.least && held <= tc.most, "%s holds %d bytes, want %d to %d", tc.tenant, held, tc.least, tc.most)
	}
}

// staleTotal reports the backlog's budget but none of its bytes, as a backend that reads
// the total now and then (NATS: every second) may between two readings.
type staleTotal struct{ *memory.Queue }

func (s staleTotal) Backlog() queue.Backlog { return queue.Backlog{Budget: s.Queue.Backlog().Budget} }

// A tenant's share as large as the whole backlog is no share: only the total's check
// refuses, with 503 backlog_full, even while the tenant's own count is fresher than the
// total's.
func TestTenantShareOfTheWholeIsOff(t *testing.T) {
	f := withBudgets(t, newFixture(t, 0, nil), 2000, 2000)
	f.reg = prometheus.NewRegistry()
	f.gw = New(f.gw.cfg, f.gw.dir, staleTotal{f.q}, slog.New(slog.DiscardHandler), f.reg)
	f.gw.now = func() time.Time { return f.now }
	body := []byte(strings.Repeat("0123456789\n", 30))
	for i := range 20 {
		w := f.post(t, request{stream: "web", key: "demo-in", body: body})
		require.Equal(t, http.StatusAccepted, w.Code, "post %d: %s", i, w.Body.String())
	}
	require.Greater(t, f.q.TenantBacklog("demo").Bytes, int64(2000), "past the share, which is off")
}
