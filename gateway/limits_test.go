package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// roomy lifts the body limits so that only the rate limit refuses.
func roomy(c *Config) { c.MaxBodyBytes, c.MaxLineBytes = 100000, 10000 }

func TestRateLimit(t *testing.T) {
	f := newFixture(t, 0, roomy)
	body := []byte(strings.Repeat("x", 599) + "\n") // 600 bytes of a 1000-byte burst
	post := func(key string, b []byte) (int, string, string) {
		w := f.post(t, request{stream: map[string]string{"slow-in": "web", "demo-in": "web"}[key], key: key, body: b})
		var e struct{ Code string }
		_ = json.Unmarshal(w.Body.Bytes(), &e)
		return w.Code, e.Code, w.Header().Get("Retry-After")
	}

	code, _, _ := post("slow-in", body)
	require.Equal(t, http.StatusAccepted, code)
	code, errCode, retry := post("slow-in", body)
	require.Equal(t, http.StatusTooManyRequests, code)
	require.Equal(t, "rate_limited", errCode)
	require.Equal(t, "1", retry, "200 bytes short at 1000 bytes/s: 0.2s, rounded up")
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("slow", "native", "rate_limited")))

	for range 3 {
		code, _, _ = post("demo-in", body)
		require.Equal(t, http.StatusAccepted, code, "a tenant without limits is not slowed by another's")
	}

	f.now = f.now.Add(time.Second)
	code, _, _ = post("slow-in", body)
	require.Equal(t, http.StatusAccepted, code, "the budget refills with time")

	code, errCode, _ = post("slow-in", bytes.Repeat([]byte("y\n"), 600))
	require.Equal(t, http.StatusRequestEntityTooLarge, code, "over the burst: retrying cannot help")
	require.Equal(t, "too_large", errCode)

	require.Len(t, f.received(t), 5, "the refused requests published nothing")
}

func TestRateLimitSpentBudgetRefusesBeforeReading(t *testing.T) {
	f := newFixture(t, 0, roomy)
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "slow-in", body: bytes.Repeat([]byte("z"), 1000)}).Code)
	// The budget is spent: even a body that could not be decoded is refused as over the rate.
	w := f.post(t, request{stream: "web", key: "slow-in", encoding: "gzip", body: []byte("not gzip")})
	require.Equal(t, http.StatusTooManyRequests, w.Code, w.Body.String())
}

func TestBucketFollowsLimits(t *testing.T) {
	l := &limiters{buckets: map[string]bucket{}}
	lim := l.get(tenant.Tenant{ID: "t", Limits: tenant.Limits{IngestBytesPerSecond: 1000, IngestBurstBytes: 3000}})
	require.Equal(t, 3000, lim.Burst())
	require.Same(t, lim, l.get(tenant.Tenant{ID: "t", Limits: tenant.Limits{IngestBytesPerSecond: 1000, IngestBurstBytes: 3000}}))
	lim = l.get(tenant.Tenant{ID: "t", Limits: tenant.Limits{IngestBytesPerSecond: 5, IngestBurstBytes: 7}})
	require.Equal(t, 7, lim.Burst(), "a change of limits makes a new bucket")
}
