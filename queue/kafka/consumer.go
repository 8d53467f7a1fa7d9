package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/trolly-logs/trolly/queue"
)

// consumer is one member of a Kafka consumer group, with its own franz-go client; it is
// also the Acknowledger of its deliveries.
//
// Locks: commitMu, then mu. commitMu makes a commit and a revoke exclusive, so that a
// commit never carries offsets of partitions revoked while it was prepared.
type consumer struct {
	q              *Queue
	topic, group   string
	ktopic, kgroup string
	cl             *kgo.Client
	log            *slog.Logger

	delivered, redelivered, stale prometheus.Counter

	recv     chan struct{} // one Receive at a time
	commitMu sync.Mutex
	stop     chan struct{} // ends commitLoop
	done     chan struct{} // closed by commitLoop

	mu      sync.Mutex
	parts   map[int32]*partition // owned partitions that delivered something
	flights map[uint64]*flight   // unsettled deliveries by tag, stale ones included
	lastTag uint64
	wake    context.CancelFunc // ends the poll in progress, nil when none
	closed  bool
}

var _ queue.Acknowledger = (*consumer)(nil)

func (q *Queue) newConsumer(name, group string) (*consumer, error) {
	c := &consumer{
		q: q, topic: name, group: group, ktopic: q.ktopic(name), kgroup: q.kgroup(name, group),
		log:  q.log.With("topic", name, "group", group),
		recv: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		parts: map[int32]*partition{}, flights: map[uint64]*flight{},
		delivered:   q.metrics.deliveries.WithLabelValues(name, group),
		redelivered: q.metrics.redelivered.WithLabelValues(name, group),
		stale:       q.metrics.staleSettles.WithLabelValues(name, group),
	}
	opts := append(slices.Clone(q.opts), q.cfg.groupOptions(c.ktopic, c.kgroup, c.onRevoked, c.onLost)...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("create kafka consumer: %w", err)
	}
	c.cl = cl
	go c.commitLoop()
	return c, nil
}

// Receive returns nacked records first, then polls. Between a poll and AllowRebalance no
// revoke can run, so the records it returns are recorded as owned.
func (c *consumer) Receive(ctx context.Context, limit int) ([]*queue.Delivery, error) {
	if limit < 1 {
		return nil, fmt.Errorf("receive from %s/%s: max must be > 0, got %d", c.topic, c.group, limit)
	}
	select {
	case c.recv <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.recv }()
	for {
		ds, pctx, cancel, err := c.prepare(ctx, limit)
		if err != nil || len(ds) > 0 {
			return ds, err
		}
		fetches := c.cl.PollRecords(pctx, limit)
		ds = c.accept(fetches)
		c.cl.AllowRebalance()
		cancel()
		if len(ds) > 0 {
			return ds, nil
		}
		if err := c.fetchError(ctx, fetches); err != nil {
			return nil, err
		}
		// Woken by a nack: loop to redeliver it.
	}
}

// prepare returns redeliveries, or else the context of a poll that a nack or Close can end.
func (c *consumer) prepare(ctx context.Context, limit int) ([]*queue.Delivery, context.Context, context.CancelFunc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, nil, fmt.Errorf("receive from %s/%s: %w", c.topic, c.group, queue.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	if ds := c.redeliverLocked(limit); len(ds) > 0 {
		return ds, nil, nil, nil
	}
	pctx, cancel := context.WithCancel(ctx)
	c.wake = cancel
	return nil, pctx, cancel, nil
}

// accept records polled records as deliveries.
func (c *consumer) accept(fetches kgo.Fetches) []*queue.Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wake = nil
	if c.closed {
		return nil // not delivered: they come again to the next owner
	}
	var ds []*queue.Delivery
	fetches.EachRecord(func(r *kgo.Record) {
		p := c.parts[r.Partition]
		if p == nil {
			p = newPartition(r.Partition)
			c.parts[r.Partition] = p
			// Fetching starts at the group's commit: nobody will deliver what is below.
			c.q.attempts.forget(c.attemptKey(r.Partition), r.Offset)
		}
		if r.Offset < p.next {
			return // already tracked
		}
		f := &flight{rec: r, part: p}
		p.add(f)
		ds = append(ds, c.deliverLocked(f))
	})
	return ds
}

func (c *consumer) redeliverLocked(limit int) []*queue.Delivery {
	var ds []*queue.Delivery
	for _, p := range c.parts {
		for len(p.again) > 0 && len(ds) < limit {
			f := p.again[0]
			p.again = p.again[1:]
			ds = append(ds, c.deliverLocked(f))
		}
	}
	return ds
}

func (c *consumer) deliverLocked(f *flight) *queue.Delivery {
	c.lastTag++
	f.tag = c.lastTag
	c.flights[f.tag] = f
	f.attempt = c.q.attempts.next(c.attemptKey(f.part.id), f.rec.Offset)
	c.delivered.Inc()
	if f.attempt > 1 {
		c.redelivered.Inc()
	}
	m := queue.Message{Key: string(f.rec.Key), Body: f.rec.Value}
	return queue.NewDelivery(m, f.attempt, c, f.tag)
}

// fetchError turns the errors of an empty poll into Receive's: nil to poll again.
func (c *consumer) fetchError(ctx context.Context, fetches kgo.Fetches) error {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed || fetches.IsClientClosed() {
		return fmt.Errorf("receive from %s/%s: %w", c.topic, c.group, queue.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var errs []error
	fetches.EachError(func(_ string, part int32, err error) {
		var loss *kgo.ErrDataLoss
		var session *kgo.ErrGroupSession
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			// the poll was woken
		case errors.As(err, &loss):
			c.log.Warn("broker lost records; consuming goes on", "partition", part, "err", err)
		case errors.As(err, &session) && !errors.Is(err, kerr.GroupAuthorizationFailed):
			// The client rejoins by itself; what this member held comes again.
			c.log.Warn("group membership failed; rejoining", "err", err)
		case errors.Is(err, kerr.UnknownTopicOrPartition):
			errs = append(errs, fmt.Errorf("partition %d: %w: %w", part, queue.ErrUnknownTopic, err))
		default:
			errs = append(errs, fmt.Errorf("partition %d: %w", part, err))
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("receive from %s/%s: %w", c.topic, c.group, errors.Join(errs...))
	}
	return nil
}

// Close commits what was acknowledged and leaves the group; what was not acknowledged
// comes again to the next owner of its partition.
func (c *consumer) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	if c.wake != nil {
		c.wake()
	}
	c.mu.Unlock()
	close(c.stop)
	<-c.done

	c.commitMu.Lock()
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	err := c.commitLocked(ctx, c.cl, nil)
	cancel()
	c.dropLocked(nil)
	c.commitMu.Unlock()
	c.cl.CloseAllowingRebalance()
	c.q.forget(c)
	if err != nil {
		return fmt.Errorf("close consumer of %s/%s: %w", c.topic, c.group, err)
	}
	return nil
}

func (c *consumer) attemptKey(part int32) attemptKey {
	return attemptKey{ktopic: c.ktopic, kgroup: c.kgroup, part: part}
}
