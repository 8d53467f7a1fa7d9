package bookkeeper

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/trolly-logs/trolly/tenant"
)

// Tombstones is the part of the catalog a Purger reads and writes.
type Tombstones interface {
	Tombstones(ctx context.Context, part string) ([]tenant.Tombstone, error)
	MarkPurged(ctx context.Context, actor tenant.Actor, key, part string, details map[string]string) error
	Audit(ctx context.Context, e tenant.AuditEntry) error
}

// DropFunc removes everything of one part filed under a tenant key, returning how many
// items (indices, objects) it removed.
type DropFunc func(ctx context.Context, tenantKey string) (int, error)

var purgeActor = tenant.Actor{Kind: "system", Name: "bookkeeper"}

// Purger removes one part of the data of deleted tenants.
type Purger struct {
	cfg  PurgeConfig
	cat  Tombstones
	part string
	drop DropFunc
	log  *slog.Logger
	now  func() time.Time

	removed  prometheus.Counter
	failures prometheus.Counter
	pending  prometheus.Gauge
}

// NewPurger returns a purger of part (tenant.PurgeSearch or tenant.PurgeArchive) that
// removes with drop. A nil reg registers no metrics; a nil now is time.Now.
func NewPurger(cfg PurgeConfig, cat Tombstones, part string, drop DropFunc, logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *Purger {
	cfg.ApplyDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	labels := prometheus.Labels{"part": part}
	f := promauto.With(reg)
	return &Purger{
		cfg: cfg, cat: cat, part: part, drop: drop, now: now,
		log: logger.With("component", "bookkeeper", "part", part),
		removed: f.NewCounter(prometheus.CounterOpts{Name: "trolly_bookkeeper_purged_items_total", ConstLabels: labels,
			Help: "Indices or archive objects of deleted tenants removed."}),
		failures: f.NewCounter(prometheus.CounterOpts{Name: "trolly_bookkeeper_purge_failures_total", ConstLabels: labels,
			Help: "Purges of a deleted tenant's data that failed, to be tried again at the next pass."}),
		pending: f.NewGauge(prometheus.GaugeOpts{Name: "trolly_bookkeeper_purges_pending", ConstLabels: labels,
			Help: "Deleted tenants whose data is not purged for good yet."}),
	}
}

// Run purges at once, then every Interval, until ctx ends.
func (p *Purger) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		if err := p.Pass(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("purge deleted tenants", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Pass removes the data of every tombstone not purged yet. A tenant whose data fails to
// go is tried again at the next pass; the others go on. Each removal is audited, and a
// tombstone past its grace whose data is gone is marked purged.
func (p *Purger) Pass(ctx context.Context) error {
	ts, err := p.cat.Tombstones(ctx, p.part)
	if err != nil {
		return fmt.Errorf("list tombstones: %w", err)
	}
	p.pending.Set(float64(len(ts)))
	var failed int
	for _, tb := range ts {
		if err := p.purge(ctx, tb); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			p.failures.Inc()
			p.log.Warn("purge a deleted tenant's data; will try again", "tenant", tb.TenantID, "key", tb.Key, "err", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d deleted tenants not purged", failed, len(ts))
	}
	return nil
}

func (p *Purger) purge(ctx context.Context, tb tenant.Tombstone) error {
	// Taken before the drop: what is written under the key after the grace began is
	// caught only by a pass that starts after it.
	final := !p.now().Before(tb.DeletedAt.Add(p.cfg.Grace))
	n, err := p.drop(ctx, tb.Key)
	p.removed.Add(float64(n))
	if n > 0 {
		p.log.Info("purged a deleted tenant's data", "tenant", tb.TenantID, "key", tb.Key, "removed", n)
		if aerr := p.cat.Audit(ctx, tenant.AuditEntry{Actor: purgeActor, TenantID: tb.TenantID, Action: "tenant.purge",
			Target: tb.Key, Details: map[string]string{"part": p.part, "removed": strconv.Itoa(n)}}); aerr != nil {
			return fmt.Errorf("audit the purge of %s: %w", tb.Key, aerr)
		}
	}
	if err != nil {
		return fmt.Errorf("drop %s of %s: %w", p.part, tb.Key, err)
	}
	if !final {
		return nil
	}
	if err := p.cat.MarkPurged(ctx, purgeActor, tb.Key, p.part, nil); err != nil {
		return err
	}
	p.pending.Dec()
	return nil
}
