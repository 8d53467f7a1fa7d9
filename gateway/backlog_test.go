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

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// withBacklogBudget moves f's gateway to a queue whose backlog budget is budget bytes.
func withBacklogBudget(t *testing.T, f *fixture, budget int64) *fixture {
	t.Helper()
	qc := memory.DefaultConfig()
	qc.MaxBacklogBytes = budget
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
