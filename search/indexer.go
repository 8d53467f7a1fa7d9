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
// nil. A delivery is acknowledged once its events are durable in the backend, and
// rejected to the dead letters when it can never be indexed. When the backend or the
// tenant directory fails, Run holds the deliveries and tries again, waiting longer after
// each failure in a row: the queue backs up, which is the backpressure wanted, and a slow
// or dead backend delays only indexing. The deliveries it holds when ctx ends are nacked.
//
// Unlike the processor, the indexer does not reject a delivery for its Attempt: what it
// fails on is the backend or the directory, which it waits out, never the envelope, which
// the processor built; rejecting by Attempt would dead-letter good batches after restarts
// during an outage.
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
	for {
		ds, err := c.Receive(ctx, ix.cfg.BatchSize)
		if err != nil {
			return stopped(ctx, fmt.Errorf("receive from %s: %w", queue.TopicEvents, err))
		}
		if err := ix.handle(ctx, ds); err != nil {
			return nil // only the end of ctx stops handle
		}
	}
}

// stopped turns the end of ctx and a closed or drained queue into a clean stop.
func stopped(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
		return nil
	}
	return err
}

// handle writes the events of ds and settles every delivery: acknowledged once written,
// or rejected as unindexable. It fails only when ctx ends, after nacking what it holds.
func (ix *Indexer) handle(ctx context.Context, ds []*queue.Delivery) error {
	groups, kept, err := ix.group(ctx, ds)
	if err == nil {
		err = ix.write(ctx, groups, len(kept))
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

// write writes each group in the order of index names, retrying each until it is durable.
// It fails only when ctx ends.
func (ix *Indexer) write(ctx context.Context, groups map[string][]Doc, held int) error {
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		docs := groups[name]
		err := ix.retry(ctx, held, func() error {
			if err := ix.backend.Write(ctx, name, docs); err != nil {
				ix.m.writeErrors.Inc()
				return fmt.Errorf("write %d events to %s: %w", len(docs), name, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		key, _, _, _ := ParseIndexName(name)
		ix.m.indexed.WithLabelValues(tenant.IDOfKey(key)).Add(float64(len(docs)))
	}
	return nil
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
