package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/internal/sink"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
)

// Indexer consumes the events topic and writes each event to its tenant's index.
type Indexer struct {
	cfg     IndexerConfig
	q       queue.Queue
	backend Backend
	dir     tenant.Directory
	logger  *slog.Logger
	m       *indexerMetrics
	health  *sink.Tracker
	now     func() time.Time
	// wait sleeps between retries; tests replace it.
	wait func(ctx context.Context, d time.Duration) error

	// held are the tenants whose last write failed, owned by Run.
	held map[string]*heldTenant
}

// NewIndexer returns an indexer; zero fields of cfg take their defaults, and Run reports
// an invalid cfg. A nil reg registers no metrics.
func NewIndexer(cfg IndexerConfig, q queue.Queue, b Backend, dir tenant.Directory, logger *slog.Logger, reg prometheus.Registerer) *Indexer {
	cfg.ApplyDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Indexer{
		cfg:     cfg,
		q:       q,
		backend: b,
		dir:     dir,
		logger:  logger.With("component", "indexer"),
		m:       newIndexerMetrics(reg),
		health:  sink.NewTracker("indexer", cfg.Policy, cfg.RetryBackoff, cfg.MaxRetryBackoff, time.Now, reg),
		now:     time.Now,
		wait:    sleep,
		held:    map[string]*heldTenant{},
	}
}

// Ready returns nil unless every write has failed for longer than unready_after.
func (ix *Indexer) Ready() error { return ix.health.Ready() }

// Run indexes until ctx ends or the events topic is sealed and drained, and then returns
// nil. A delivery is acknowledged once its events are durable in the backend, and
// rejected to the dead letters when it can never be indexed.
//
// When the backend fails to write a tenant's events, that tenant's deliveries are held
// and tried again after a backoff that doubles with each failure in a row, while the other
// tenants' deliveries go on; a held delivery that keeps failing goes to the dead letters
// (see sink.Policy). When every tenant fails, the queue backs up, which is the
// backpressure wanted, and a slow or dead backend delays only indexing. When the tenant
// directory fails, Run holds everything and tries again. The deliveries it holds when ctx
// ends are nacked.
//
// Workers run side by side, each a consumer of its own with its own held tenants: a
// backend that commits writes in rounds (the embedded engine) makes one round durable
// for the writes of every worker that joined it.
func (ix *Indexer) Run(ctx context.Context) error {
	if err := ix.cfg.Validate(); err != nil {
		return fmt.Errorf("indexer config: %w", err)
	}
	if err := ix.q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer); err != nil {
		return stopped(ctx, fmt.Errorf("declare %s: %w", queue.TopicEvents, err))
	}
	if ix.cfg.Workers == 1 {
		return ix.run(ctx)
	}
	g, ctx := errgroup.WithContext(ctx)
	for i := range ix.cfg.Workers {
		w := *ix // shares the configuration, backend, metrics and health
		w.held = map[string]*heldTenant{}
		w.logger = ix.logger.With("worker", i)
		g.Go(func() error { return w.run(ctx) })
	}
	return g.Wait()
}

// run is one worker.
func (ix *Indexer) run(ctx context.Context) error {
	c, err := ix.q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	if err != nil {
		return stopped(ctx, fmt.Errorf("subscribe to %s: %w", queue.TopicEvents, err))
	}
	defer func() {
		if err := c.Close(); err != nil {
			ix.logger.Warn("leave the events topic", "err", err)
		}
	}()
	defer ix.release()
	for {
		ds, err := ix.receive(ctx, c)
		if len(ds) > 0 {
			if herr := ix.handle(ctx, ds); herr != nil {
				return nil // only the end of ctx stops handle
			}
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, queue.ErrClosed):
			return ix.drainHeld(ctx)
		case err != nil:
			return stopped(ctx, fmt.Errorf("receive from %s: %w", queue.TopicEvents, err))
		}
		ix.retryDue(ctx)
	}
}

// receive waits for deliveries, and no longer than until the first held tenant is due.
func (ix *Indexer) receive(ctx context.Context, c queue.Consumer) ([]*queue.Delivery, error) {
	target, ok := ix.nextDue()
	if !ok {
		return c.Receive(ctx, ix.cfg.BatchSize)
	}
	rctx, cancel := context.WithTimeout(ctx, target.Sub(ix.now()))
	defer cancel()
	ds, err := c.Receive(rctx, ix.cfg.BatchSize)
	if err != nil && ctx.Err() == nil && rctx.Err() != nil {
		err = nil // a held tenant is due
	}
	return ds, err
}

// stopped turns the end of ctx and a closed or drained queue into a clean stop.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
		return nil
	}
	return err
}

// handle writes the events of ds tenant by tenant and settles every delivery: acknowledged
// once written, rejected as unindexable, or held with its tenant when the write failed.
// It fails only when ctx ends, after nacking what it took.
func (ix *Indexer) handle(ctx context.Context, ds []*queue.Delivery) error {
	byTenant, kept, err := ix.group(ctx, ds)
	if err != nil {
		ix.nack(kept, err)
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(byTenant)) {
		w := byTenant[id]
		if h := ix.held[id]; h != nil {
			h.add(w) // written with the held ones when they are due
			continue
		}
		if err := ix.write(ctx, w.groups); err != nil {
			if ctx.Err() != nil {
				ix.nack(w.ds, err)
				continue
			}
			ix.hold(ctx, id, w, err)
			continue
		}
		ix.health.Succeeded(id)
		ix.ack(w.ds)
	}
	return ctx.Err()
}

// write writes each group in the order of index names, and stops at the first failure;
// groups keeps the ones not written.
func (ix *Indexer) write(ctx context.Context, groups map[string][]Doc) error {
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		docs := groups[name]
		if err := ix.backend.Write(ctx, name, docs); err != nil {
			ix.m.writeErrors.Inc()
			return fmt.Errorf("write %d events to %s: %w", len(docs), name, err)
		}
		delete(groups, name)
		key, _, _, _ := ParseIndexName(name)
		ix.m.indexed.WithLabelValues(tenant.IDOfKey(key)).Add(float64(len(docs)))
	}
	return nil
}

func (ix *Indexer) ack(ds []*queue.Delivery) {
	for _, d := range ds {
		// A lost ack means a redelivery, which rewrites the same ids: harmless.
		if err := d.Ack(); err != nil {
			ix.logger.Warn("acknowledge delivery", "err", err)
		}
	}
}

func (ix *Indexer) nack(ds []*queue.Delivery, cause error) {
	for _, d := range ds {
		if err := d.Nack(cause); err != nil {
			ix.logger.Warn("return delivery", "err", err)
		}
	}
}

// retry calls op until it succeeds, holding the caller's deliveries and waiting between
// calls, twice as long after each failure up to MaxRetryBackoff. Nacking instead would
// redeliver them with a growing Attempt: an outage is waited out, not bounced. It fails
// only when ctx ends.
func (ix *Indexer) retry(ctx context.Context, held int, op func() error) error {
	var backoff time.Duration
	for {
		err := op()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		backoff = min(max(2*backoff, ix.cfg.RetryBackoff), ix.cfg.MaxRetryBackoff)
		ix.logger.Warn("index events; retrying", "err", err, "deliveries", held, "retry_in", backoff)
		if err := ix.wait(ctx, backoff); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
