package rabbitmq

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// registryPrefetch is how many records the broker sends ahead of the acknowledgements.
const registryPrefetch = 512

// registry is the stream in which the processes of a keyed topic announce its groups and
// keys. Every process reads it from the start and follows it, so that a consumer learns a
// key first published by any process within moments. Since a stream is one total order,
// a writer that has read its own record back has read every record before it: Declare of
// a group declares the queues of every key announced before it, and the first Publish of a
// key the queues of every group announced before it, so no (group, key) pair is missed.
type registry struct {
	q    *Queue
	t    *topic
	name string
	once sync.Once

	mu      sync.Mutex
	waiters map[string]chan int64 // by message id: receives the record's offset
}

func newRegistry(q *Queue, t *topic) *registry {
	return &registry{q: q, t: t, name: q.names.registry(t.name), waiters: map[string]chan int64{}}
}

// start follows the registry once it exists.
func (r *registry) start() {
	r.once.Do(func() {
		r.q.spawn(r.follow)
		r.q.spawn(r.refresh)
	})
}

// append adds records and waits until this process has read them back. It returns their
// offsets.
func (r *registry) append(ctx context.Context, recs ...record) ([]int64, error) {
	r.start()
	msgs := make([]outgoing, len(recs))
	waits := make([]chan int64, len(recs))
	r.mu.Lock()
	for i, rec := range recs {
		id := rand.Text()
		waits[i] = make(chan int64, 1)
		r.waiters[id] = waits[i]
		msgs[i] = r.outgoing(rec, id)
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, m := range msgs {
			delete(r.waiters, m.pub.MessageId)
		}
	}()
	if err := r.send(ctx, msgs); err != nil {
		return nil, err
	}
	offsets := make([]int64, len(recs))
	for i, w := range waits {
		select {
		case offsets[i] = <-w:
		case <-ctx.Done():
			return nil, fmt.Errorf("read back the registry %s: %w", r.name, ctx.Err())
		case <-r.q.ctx.Done():
			return nil, queue.ErrClosed
		}
	}
	return offsets, nil
}

func (r *registry) outgoing(rec record, id string) outgoing {
	pub := rec.publishing(id)
	pub.Timestamp = r.q.opts.Now()
	return outgoing{exchange: "", key: r.name, pub: pub}
}

func (r *registry) send(ctx context.Context, msgs []outgoing) error {
	res, err := r.q.send(ctx, msgs, false)
	switch {
	case err != nil:
	case res.returned > 0:
		err = fmt.Errorf("%w: registry %s is missing", ErrUnroutable, r.name)
	case res.nacked > 0:
		err = fmt.Errorf("%w: registry %s refused %d records", ErrUnavailable, r.name, res.nacked)
	}
	if err != nil {
		return fmt.Errorf("append to the registry: %w", err)
	}
	return nil
}

// follow reads the registry until the queue closes, resuming after the last record read
// when the connection comes back.
func (r *registry) follow() {
	next := int64(-1)
	b := backoff{min: r.q.cfg.ReconnectMin, max: r.q.cfg.ReconnectMax}
	for {
		conn, _, err := r.q.link.wait(r.q.ctx)
		if err != nil {
			return
		}
		start := time.Now()
		err = r.read(conn, &next)
		if r.q.ctx.Err() != nil {
			return
		}
		if !conn.IsClosed() {
			r.q.log.Warn("read the registry; resuming", "registry", r.name, "err", err)
		}
		if !b.wait(r.q.ctx.Done(), time.Since(start)) {
			return
		}
	}
}

func (r *registry) read(conn *amqp.Connection, next *int64) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer func() { _ = ch.Close() }()
	if err := ch.Qos(registryPrefetch, 0, false); err != nil {
		return err
	}
	var from any = "first"
	if *next >= 0 {
		from = *next
	}
	ds, err := ch.Consume(r.name, "", false, false, false, false, amqp.Table{"x-stream-offset": from})
	if err != nil {
		return err
	}
	for {
		select {
		case <-r.q.ctx.Done():
			return nil
		case d, ok := <-ds:
			if !ok {
				return errors.New("the broker ended the registry consumer")
			}
			// A stream starts from the beginning of the chunk holding the offset asked.
			if off, ok := offsetOf(d.Headers); ok && off >= *next {
				r.apply(d, off)
				*next = off + 1
			}
			if err := d.Ack(false); err != nil {
				return err
			}
		}
	}
}

func offsetOf(h amqp.Table) (int64, bool) {
	off, ok := h[hdrStreamOffset].(int64)
	return off, ok && off >= 0 && off < math.MaxInt64
}

func (r *registry) apply(d amqp.Delivery, off int64) {
	rec, err := decodeRecord(d.Type, d.Body)
	switch {
	case err != nil:
		r.q.log.Debug("skip a registry record", "registry", r.name, "offset", off, "err", err)
	case rec.kind == recordGroup:
		r.t.learnGroup(rec.name, off)
	case rec.kind == recordKey:
		if r.t.learnKey(rec.name) {
			r.q.metrics.keys.WithLabelValues(r.t.name).Set(float64(r.t.keyCount()))
		}
	}
	if err == nil && rec.kind != recordSync {
		at := d.Timestamp
		if at.IsZero() {
			at = r.q.opts.Now()
		}
		r.t.touch(rec, at)
	}
	r.mu.Lock()
	w := r.waiters[d.MessageId]
	delete(r.waiters, d.MessageId)
	r.mu.Unlock()
	if w != nil {
		w <- off
	}
}

// refresh announces again the groups and keys that nobody announced for registry_refresh,
// so that the stream's retention never drops one that is still in use.
func (r *registry) refresh() {
	every := r.q.cfg.RegistryRefresh
	for {
		if !sleep(r.q.ctx.Done(), every/8+jitter(every/4)) {
			return
		}
		stale := r.t.stale(r.q.opts.Now().Add(-every))
		for len(stale) > 0 {
			n := min(len(stale), maxCallMessages)
			msgs := make([]outgoing, n)
			for i, rec := range stale[:n] {
				msgs[i] = r.outgoing(rec, rand.Text())
			}
			stale = stale[n:]
			ctx, cancel := context.WithTimeout(r.q.ctx, r.q.cfg.PublishTimeout)
			err := r.send(ctx, msgs)
			cancel()
			if err != nil {
				r.q.log.Warn("refresh the registry", "registry", r.name, "err", err)
				break
			}
		}
	}
}
