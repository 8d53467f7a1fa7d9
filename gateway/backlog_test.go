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

// backlogFixture is newFixture's gateway on a queue whose backlog budget is budget bytes.
func backlogFixture(t *testing.T, budget int64) *fixture {
	t.Helper()
	f := newFixture(t, 0, nil)
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
	f := backlogFixture(t, 2000)
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
