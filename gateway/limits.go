package gateway

import (
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/trolly-logs/trolly/tenant"
)

// limiters holds one token bucket of ingested bytes per tenant, made again when the
// tenant's limits change.
type limiters struct {
	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	limits tenant.Limits
	lim    *rate.Limiter
}

// get returns the bucket of t. Every tenant has a rate and a burst: its plan's, or the
// defaults (tenant.Plan.ApplyDefaults).
func (l *limiters) get(t tenant.Tenant) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[t.ID]
	if !ok || b.limits != t.Limits {
		b = bucket{limits: t.Limits, lim: rate.NewLimiter(rate.Limit(t.Limits.IngestBytesPerSecond), int(min(t.Limits.IngestBurstBytes, math.MaxInt32)))}
		l.buckets[t.ID] = b
	}
	return b.lim
}

// precheck refuses a tenant whose budget is spent before its body is read, so that a flood
// costs little.
func precheck(lim *rate.Limiter, now time.Time) *rejection {
	if tokens := lim.TokensAt(now); tokens < 1 {
		wait := time.Duration((1 - tokens) / float64(lim.Limit()) * float64(time.Second))
		return rateLimited(wait)
	}
	return nil
}

// take spends n bytes of the tenant's budget, or refuses the request without spending.
func take(lim *rate.Limiter, now time.Time, n int) *rejection {
	if n == 0 {
		return nil
	}
	r := lim.ReserveN(now, n)
	if !r.OK() {
		return reject(http.StatusRequestEntityTooLarge, "too_large",
			"the body of %d bytes is over the tenant's burst of %d bytes: send smaller requests", n, lim.Burst())
	}
	if wait := r.DelayFrom(now); wait > 0 {
		r.CancelAt(now)
		return rateLimited(wait)
	}
	return nil
}

func rateLimited(wait time.Duration) *rejection {
	r := reject(http.StatusTooManyRequests, "rate_limited", "the tenant is over its ingest rate, retry later")
	r.retryAfter = max(wait, time.Second)
	return r
}
