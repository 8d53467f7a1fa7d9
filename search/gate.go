package search

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// ErrBusy is returned by Gate.Acquire when no search slot freed up in time.
var ErrBusy = errors.New("every search slot is taken")

// Defaults of GateConfig.
const (
	DefaultMaxQueueWait = 10 * time.Second
	maxMaxQueueWait     = 10 * time.Minute
)

// GateConfig bounds the searches one process runs at once, over every tenant.
type GateConfig struct {
	// MaxConcurrent is the number of searches that run at once; the embedded engine
	// runs each on one core, so the default is the number of cores (at least 2).
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxQueueWait bounds how long a search waits for a slot before it is refused.
	MaxQueueWait time.Duration `yaml:"max_queue_wait"`
}

// ApplyDefaults sets every zero field to its default.
func (c *GateConfig) ApplyDefaults() {
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = max(2, runtime.GOMAXPROCS(0))
	}
	if c.MaxQueueWait == 0 {
		c.MaxQueueWait = DefaultMaxQueueWait
	}
}

// Validate reports every invalid field, naming its key.
func (c GateConfig) Validate() error {
	var errs []error
	if c.MaxConcurrent <= 0 {
		errs = append(errs, fmt.Errorf("max_concurrent: must be > 0, got %d", c.MaxConcurrent))
	}
	if c.MaxQueueWait <= 0 || c.MaxQueueWait > maxMaxQueueWait {
		errs = append(errs, fmt.Errorf("max_queue_wait: must be > 0 and at most %s, got %s", maxMaxQueueWait, c.MaxQueueWait))
	}
	return errors.Join(errs...)
}

// Gate shares a process's search slots fairly between tenants. A free slot goes to the
// waiting tenant that holds the fewest (the earliest of them on a tie), and while there
// is more than one slot no tenant holds them all, so another tenant's search finds one
// at once instead of waiting for a long search to end. It is safe for concurrent use.
type Gate struct {
	slots, perTenant int
	maxWait          time.Duration

	mu    sync.Mutex
	held  map[string]int
	total int
	queue []*waiter // in arrival order

	running, waiting *prometheus.GaugeVec
	refused          *prometheus.CounterVec
}

type waiter struct {
	tenant  string
	granted chan struct{}
}

// NewGate returns a gate of cfg (zero fields take their defaults); a nil reg registers
// no metrics.
func NewGate(cfg GateConfig, reg prometheus.Registerer) (*Gate, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("search gate config: %w", err)
	}
	f := promauto.With(reg)
	return &Gate{
		slots: cfg.MaxConcurrent, perTenant: max(1, cfg.MaxConcurrent-1), maxWait: cfg.MaxQueueWait,
		held: map[string]int{},
		running: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_search_running",
			Help: "Searches running, by tenant.",
		}, []string{"tenant"}),
		waiting: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_search_waiting",
			Help: "Searches waiting for a slot of search.max_concurrent, by tenant.",
		}, []string{"tenant"}),
		refused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_search_refused_total",
			Help: "Searches refused because no slot of search.max_concurrent freed up in time, by tenant.",
		}, []string{"tenant"}),
	}, nil
}

// Acquire takes a slot for one of tenantID's searches, waiting at most the gate's
// max_queue_wait and while ctx lasts. It returns ErrBusy when the wait ran out, ctx's
// deadline included (the search never ran), and ctx.Err() when ctx was canceled.
func (g *Gate) Acquire(ctx context.Context, tenantID string) (release func(), err error) {
	g.mu.Lock()
	if g.total < g.slots && g.held[tenantID] < g.perTenant {
		g.takeLocked(tenantID)
		g.mu.Unlock()
		return g.releaser(tenantID), nil
	}
	w := &waiter{tenant: tenantID, granted: make(chan struct{})}
	g.queue = append(g.queue, w)
	g.waiting.WithLabelValues(tenantID).Inc()
	g.mu.Unlock()

	timer := time.NewTimer(g.maxWait)
	defer timer.Stop()
	select {
	case <-w.granted:
		return g.releaser(tenantID), nil
	case <-timer.C:
		err = ErrBusy
	case <-ctx.Done():
		err = ctx.Err()
		if errors.Is(err, context.DeadlineExceeded) {
			err = ErrBusy
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-w.granted: // granted as the wait ended: keep it
		return g.releaser(tenantID), nil
	default:
	}
	g.queue = slices.DeleteFunc(g.queue, func(q *waiter) bool { return q == w })
	g.waiting.WithLabelValues(tenantID).Dec()
	if errors.Is(err, ErrBusy) {
		g.refused.WithLabelValues(tenantID).Inc()
	}
	return nil, err
}

func (g *Gate) takeLocked(tenantID string) {
	g.held[tenantID]++
	g.total++
	g.running.WithLabelValues(tenantID).Inc()
}

func (g *Gate) releaser(tenantID string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.held[tenantID]--; g.held[tenantID] <= 0 {
				delete(g.held, tenantID)
			}
			g.total--
			g.running.WithLabelValues(tenantID).Dec()
			g.grantLocked()
		})
	}
}

// grantLocked hands the free slots to the waiters of the tenants that hold the fewest.
func (g *Gate) grantLocked() {
	for g.total < g.slots {
		best := -1
		for i, w := range g.queue {
			n := g.held[w.tenant]
			if n < g.perTenant && (best < 0 || n < g.held[g.queue[best].tenant]) {
				best = i
			}
		}
		if best < 0 {
			return
		}
		w := g.queue[best]
		g.queue = slices.Delete(g.queue, best, best+1)
		g.waiting.WithLabelValues(w.tenant).Dec()
		g.takeLocked(w.tenant)
		close(w.granted)
	}
}

// Waiting returns the number of searches waiting for a slot.
func (g *Gate) Waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}
