package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/trolly-logs/trolly/queue"
)

// backgroundRefreshTimeout bounds a lag refresh that no caller waits for.
const backgroundRefreshTimeout = 10 * time.Second

// Publish produces msgs to topic, keyed by Message.Key, and returns once the brokers
// acknowledged every record (acks=all). A call that would take the slowest declared group
// past max_lag_bytes fails with queue.ErrFull before anything is produced. When the broker
// fails part of a call, the rest may be stored: the caller retries the whole call.
func (q *Queue) Publish(ctx context.Context, name string, msgs ...queue.Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	t, err := q.lookup(name)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	if len(msgs) == 0 {
		return nil
	}
	size, err := q.measure(msgs)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	if err := q.admit(ctx, t, size, len(msgs)); err != nil {
		q.metrics.refusedFull.WithLabelValues(name).Add(float64(len(msgs)))
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	records := make([]*kgo.Record, len(msgs))
	for i, m := range msgs {
		// A non-nil key, even empty, is hashed: every key keeps one partition.
		records[i] = &kgo.Record{Topic: t.ktopic, Key: []byte(m.Key), Value: m.Body}
	}
	results := q.cl.ProduceSync(ctx, records...)
	acked := make([]produced, 0, len(results))
	var okBytes int64
	for _, r := range results {
		if r.Err == nil {
			n := int64(len(r.Record.Value))
			acked = append(acked, produced{partition: r.Record.Partition, offset: r.Record.Offset, bytes: n})
			okBytes += n
		}
	}
	t.lag.finish(size, acked)
	q.metrics.published.WithLabelValues(name).Add(float64(len(acked)))
	q.metrics.publishedSize.WithLabelValues(name).Add(float64(okBytes))
	if err := results.FirstErr(); err != nil {
		q.metrics.produceErrors.WithLabelValues(name).Inc()
		return fmt.Errorf("publish to %s: %w", name, produceError(err))
	}
	return nil
}

// measure returns the body bytes of msgs, or ErrTooLarge for a message over
// max_message_bytes or a call over max_lag_bytes: those could never be published.
func (q *Queue) measure(msgs []queue.Message) (int64, error) {
	var total int64
	for i, m := range msgs {
		if n := len(m.Key) + len(m.Body); n > q.cfg.MaxMessageBytes {
			return 0, fmt.Errorf("message %d: %d bytes, max_message_bytes is %d: %w",
				i, n, q.cfg.MaxMessageBytes, queue.ErrTooLarge)
		}
		total += int64(len(m.Body))
	}
	if total > q.cfg.MaxLagBytes {
		return 0, fmt.Errorf("%d bytes in one call, max_lag_bytes is %d: %w", total, q.cfg.MaxLagBytes, queue.ErrTooLarge)
	}
	return total, nil
}

// admit reserves n bytes of count messages in t's lag estimate, refreshing the estimate
// first when it says full.
func (q *Queue) admit(ctx context.Context, t *topic, n int64, count int) error {
	asked := q.now()
	ok, stale := t.lag.admit(n, int64(count), asked)
	if ok {
		if stale {
			q.refreshInBackground(t)
		}
		return nil
	}
	if err := q.refreshLag(ctx, t, asked); err != nil {
		return fmt.Errorf("%w: lag unknown: %w", queue.ErrFull, err)
	}
	if ok, _ = t.lag.admit(n, int64(count), q.now()); ok {
		return nil
	}
	return fmt.Errorf("%w: the slowest group lags about %d bytes, max_lag_bytes is %d",
		queue.ErrFull, t.lag.estimate(), q.cfg.MaxLagBytes)
}

// refreshLag reads the uncommitted records of t's declared groups, unless a refresh that
// began at or after since already did.
func (q *Queue) refreshLag(ctx context.Context, t *topic, since time.Time) error {
	t.refreshMu.Lock()
	defer t.refreshMu.Unlock()
	if !t.lag.refreshed().Before(since) {
		return nil
	}
	groups := t.declaredGroups()
	kgroups := make([]string, len(groups))
	for i, g := range groups {
		kgroups[i] = q.kgroup(t.name, g)
	}
	at := q.now()
	lag, ends, err := q.uncommitted(ctx, t.ktopic, kgroups)
	if err != nil {
		return err
	}
	var slowest int64
	avg := t.lag.average()
	for i, g := range groups {
		n := lag[kgroups[i]]
		slowest = max(slowest, n)
		q.metrics.lagRecords.WithLabelValues(t.name, g).Set(float64(n))
		q.metrics.lagBytes.WithLabelValues(t.name, g).Set(float64(n * avg))
	}
	t.lag.update(slowest, ends, at)
	return nil
}

// refreshInBackground refreshes t's lag without making a publish wait for it.
func (q *Queue) refreshInBackground(t *topic) {
	t.mu.Lock()
	if t.refreshing {
		t.mu.Unlock()
		return
	}
	t.refreshing = true
	t.mu.Unlock()
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		t.mu.Lock()
		t.refreshing = false
		t.mu.Unlock()
		return
	}
	q.wg.Add(1)
	q.mu.Unlock()
	go func() {
		defer q.wg.Done()
		ctx, cancel := context.WithTimeout(q.ctx, backgroundRefreshTimeout)
		defer cancel()
		if err := q.refreshLag(ctx, t, q.now()); err != nil && q.ctx.Err() == nil {
			q.log.Warn("refresh lag", "topic", t.name, "err", err)
		}
		t.mu.Lock()
		t.refreshing = false
		t.mu.Unlock()
	}()
}

// produceError maps the broker's refusals to the queue's sentinels.
func produceError(err error) error {
	switch {
	case errors.Is(err, kerr.MessageTooLarge), errors.Is(err, kerr.RecordListTooLarge):
		return fmt.Errorf("%w: %w", queue.ErrTooLarge, err)
	case errors.Is(err, kgo.ErrClientClosed):
		return fmt.Errorf("%w: %w", queue.ErrClosed, err)
	}
	return err
}
