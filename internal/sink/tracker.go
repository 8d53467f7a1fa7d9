package sink

import (
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Tracker keeps a sink's failing tenants and its health. It is safe for concurrent use:
// the sink writes, the readiness check reads.
type Tracker struct {
	name     string
	policy   Policy
	min, max time.Duration
	now      func() time.Time
	m        *metrics

	mu      sync.Mutex
	tenants map[string]*backoff // only the tenants whose last write failed
	// lastOK is the last successful write; failingSince the first failure after it (zero
	// while writes succeed); lastErr the latest failure.
	lastOK       time.Time
	failingSince time.Time
	lastErr      error
}

type backoff struct {
	failures int       // in a row
	since    time.Time // of the first of them
}

// NewTracker returns the tracker of the sink called name, which waits from min to max
// (doubling) before trying a failing tenant again. A nil now is time.Now; a nil reg
// registers no metrics.
func NewTracker(name string, p Policy, min, max time.Duration, now func() time.Time, reg prometheus.Registerer) *Tracker {
	p.ApplyDefaults()
	if now == nil {
		now = time.Now
	}
	t := &Tracker{name: name, policy: p, min: min, max: max, now: now, tenants: map[string]*backoff{}}
	t.lastOK = now()
	t.m = newMetrics(name, reg, t)
	return t
}

// Failed records a failed write of tenant's batch, and returns how long to wait before
// trying that tenant again.
func (t *Tracker) Failed(tenant string, err error) time.Duration {
	t.m.failures.WithLabelValues(tenant).Inc()
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.failingSince.IsZero() {
		t.failingSince = now
	}
	t.lastErr = err
	b := t.tenants[tenant]
	if b == nil {
		b = &backoff{since: now}
		t.tenants[tenant] = b
	}
	b.failures++
	wait := t.min
	for i := 1; i < b.failures && wait < t.max; i++ {
		wait *= 2
	}
	t.m.held.Set(float64(len(t.tenants)))
	return min(wait, t.max)
}

// Succeeded records a successful write of tenant's batch.
func (t *Tracker) Succeeded(tenant string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastOK = t.now()
	t.failingSince = time.Time{}
	delete(t.tenants, tenant)
	t.m.held.Set(float64(len(t.tenants)))
}

// Attempts is the failure record of one held batch.
type Attempts struct {
	Failures int
	Since    time.Time // of the first failure
}

// Fail adds a failure to a.
func (t *Tracker) Fail(a *Attempts) {
	if a.Failures == 0 {
		a.Since = t.now()
	}
	a.Failures++
}

// GiveUp reports whether a batch of tenant with these attempts goes to the dead letters:
// it, or its tenant, failed too often or for too long, and the sink wrote something since
// then. Counting the tenant's failures in a row gives up a broken tenant's new batches at
// their first failure, rather than each after as many attempts, so that they do not pile
// up in the backlog that every tenant shares.
func (t *Tracker) GiveUp(tenant string, a Attempts) bool {
	if a.Failures == 0 {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	failures, since := a.Failures, a.Since
	if b := t.tenants[tenant]; b != nil {
		failures = max(failures, b.failures)
		if b.since.Before(since) {
			since = b.since
		}
	}
	tooMuch := failures >= t.policy.DeadLetterAttempts || t.now().Sub(since) >= t.policy.DeadLetterAge
	return tooMuch && t.lastOK.After(since)
}

// DeadLettered counts a batch of tenant given up to the dead letters.
func (t *Tracker) DeadLettered(tenant string) {
	t.m.deadLetters.WithLabelValues(tenant).Inc()
}

// Ready returns nil unless every write of the sink has failed for longer than the
// policy's UnreadyAfter; then it says since when and why.
func (t *Tracker) Ready() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failingSince.IsZero() {
		return nil
	}
	if d := t.now().Sub(t.failingSince); d > t.policy.UnreadyAfter {
		return fmt.Errorf("%s: every write has failed for %s: %w", t.name, d.Round(time.Second), t.lastErr)
	}
	return nil
}
