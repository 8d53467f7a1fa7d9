package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

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
	// wait sleeps between retries; tests replace it.
	wait func(ctx context.Context, d time.Duration) error
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
		wait:    sleep,
	}
}

// Run indexes until ctx ends or the events topic is sealed and drained, and then returns
// nil. A delivery is acknowledged once its events are durable in the backend; when a write
// fails, the deliveries are returned for redelivery and Run waits, longer after each
// failure in a row, before receiving again.
func (ix *Indexer) Run(ctx context.Context) error {
	if err := ix.cfg.Validate(); err != nil {
		return fmt.Errorf("indexer config: %w", err)
	}
	if err := ix.q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer); err != nil {
		return stopped(ctx, fmt.Errorf("declare %s: %w", queue.TopicEvents, err))
	}
	c, err := ix.q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	if err != nil {
		return stopped(ctx, fmt.Errorf("subscribe to %s: %w", queue.TopicEvents, err))
	}
	defer func() {
		if err := c.Close(); err != nil {
			ix.logger.Warn("leave the events topic", "err", err)
		}
	}()
	var backoff time.Duration
	for {
		ds, err := c.Receive(ctx, ix.cfg.BatchSize)
		if err != nil {
			return stopped(ctx, fmt.Errorf("receive from %s: %w", queue.TopicEvents, err))
		}
		if err := ix.handle(ctx, ds); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(max(2*backoff, ix.cfg.RetryBackoff), ix.cfg.MaxRetryBackoff)
			ix.logger.Error("index events, will retry", "err", err, "deliveries", len(ds), "retry_in", backoff)
			if ix.wait(ctx, backoff) != nil {
				return nil
			}
			continue
		}
		backoff = 0
	}
}

// stopped turns the end of ctx and a closed or drained queue into a clean stop.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
		return nil
	}
	return err
}

// handle writes the events of ds and settles every delivery: acknowledged once written
// (or dropped as unindexable), or returned for redelivery when a write fails.
func (ix *Indexer) handle(ctx context.Context, ds []*queue.Delivery) error {
	groups, kept, err := ix.group(ctx, ds)
	if err == nil {
		err = ix.write(ctx, groups)
	}
	if err != nil {
		for _, d := range kept {
			if nerr := d.Nack(err); nerr != nil {
				ix.logger.Warn("return delivery", "err", nerr)
			}
		}
		return err
	}
	for _, d := range kept {
		// A lost ack means a redelivery, which rewrites the same ids: harmless.
		if aerr := d.Ack(); aerr != nil {
			ix.logger.Warn("acknowledge delivery", "err", aerr)
		}
	}
	return nil
}

// write writes each group in the order of index names.
func (ix *Indexer) write(ctx context.Context, groups map[string][]Doc) error {
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		docs := groups[name]
		if err := ix.backend.Write(ctx, name, docs); err != nil {
			ix.m.writeErrors.Inc()
			return fmt.Errorf("write %d events to %s: %w", len(docs), name, err)
		}
		tenantID, _, _, _ := ParseIndexName(name)
		ix.m.indexed.WithLabelValues(tenantID).Add(float64(len(docs)))
	}
	return nil
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
