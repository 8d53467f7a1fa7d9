package nats

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/trolly-logs/trolly/queue"
)

// fetchWait bounds one wait of Receive on the server, so that it notices Close, Seal and
// the end of its context soon, never leaving a pull request behind it.
const fetchWait = 300 * time.Millisecond

// awayMin and awayMax bound the pause of Receive between its tries while the server is
// away (restarting, or the connection reconnecting).
const (
	awayMin = 100 * time.Millisecond
	awayMax = 2 * time.Second
)

// consumer is one member of a group: a pull consumer of the group's durable.
type consumer struct {
	q            *Queue
	topic, group string
	cons         jetstream.Consumer

	mu     sync.Mutex
	held   map[uint64]jetstream.Msg // unsettled deliveries by tag
	next   uint64
	closed bool
	away   bool // the last try of Receive failed

	checked atomic.Uint64 // the count of reconnections when the group was last seen
}

// Subscribe joins group on topic; both must have been declared.
func (q *Queue) Subscribe(ctx context.Context, topic, group string) (queue.Consumer, error) {
	if q.isClosed() {
		return nil, queue.ErrClosed
	}
	if !validName(topic) || !validName(group) {
		return nil, fmt.Errorf("subscribe %s/%s: %w", topic, group, queue.ErrUnknownTopic)
	}
	reconnects := q.reconnects.Load()
	cons, err := q.js.Consumer(ctx, q.streamName(topic), group)
	if errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("subscribe %s/%s: %w", topic, group, queue.ErrUnknownTopic)
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe %s/%s: %w", topic, group, err)
	}
	c := &consumer{q: q, topic: topic, group: group, cons: cons, held: map[uint64]jetstream.Msg{}}
	c.checked.Store(reconnects)
	q.mu.Lock()
	q.consumers[c] = true
	q.mu.Unlock()
	return c, nil
}

// Receive returns what is available at once, else waits for one message and takes what
// came with it. While the server is away it waits for it to come back, as long as ctx
// allows: a restart of the server must not stop the layers.
func (c *consumer) Receive(ctx context.Context, max int) ([]*queue.Delivery, error) {
	if max < 1 {
		return nil, fmt.Errorf("receive: max must be > 0, got %d", max)
	}
	pause := awayMin
	for {
		if err := c.usable(); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		msgs, err := c.try(ctx, max)
		if errors.Is(err, queue.ErrClosed) || errors.Is(err, queue.ErrUnknownTopic) {
			return nil, err
		}
		if err != nil {
			if err := c.wait(ctx, err, &pause); err != nil {
				return nil, err
			}
			continue
		}
		c.back()
		if len(msgs) == 0 {
			continue
		}
		if ctx.Err() != nil {
			for _, m := range msgs {
				_ = m.Nak()
			}
			return nil, ctx.Err()
		}
		ds, err := c.deliver(msgs)
		if err != nil || len(ds) > 0 {
			return ds, err
		}
	}
}

// try fetches up to max messages. It fails while the connection is lost, for a fetch
// would only wait for the server; after a reconnection it first checks that the group
// still exists (a server that came back without its store lost it), failing with
// queue.ErrUnknownTopic when it does not. On a sealed topic that is drained it fails with
// queue.ErrClosed.
func (c *consumer) try(ctx context.Context, max int) ([]jetstream.Msg, error) {
	if !c.q.nc.IsConnected() {
		return nil, errDisconnected
	}
	if n := c.q.reconnects.Load(); n != c.checked.Load() {
		_, err := c.q.js.Consumer(ctx, c.q.streamName(c.topic), c.group)
		if errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, fmt.Errorf("receive from %s/%s after reconnecting: %w: %w", c.topic, c.group, queue.ErrUnknownTopic, err)
		}
		if err != nil {
			return nil, c.fetchError(err)
		}
		c.checked.Store(n)
	}
	if c.q.isSealed(c.topic) {
		drained, err := c.drained(ctx)
		if err != nil {
			return nil, err
		}
		if drained {
			return nil, queue.ErrClosed
		}
	}
	return c.fetch(ctx, max)
}

// wait pauses Receive after a failed try, doubling *pause up to awayMax.
func (c *consumer) wait(ctx context.Context, cause error, pause *time.Duration) error {
	c.mu.Lock()
	first := !c.away
	c.away = true
	c.mu.Unlock()
	if first {
		c.q.log.Warn("receive: waiting for the NATS server", "topic", c.topic, "group", c.group, "err", cause)
	}
	timer := time.NewTimer(*pause)
	defer timer.Stop()
	*pause = min(*pause*2, awayMax)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.q.closed:
		return queue.ErrClosed
	case <-timer.C:
		return nil
	}
}

// back notes a successful try after failed ones.
func (c *consumer) back() {
	c.mu.Lock()
	was := c.away
	c.away = false
	c.mu.Unlock()
	if was {
		c.q.log.Info("receiving again from the NATS server", "topic", c.topic, "group", c.group)
	}
}

func (c *consumer) usable() error {
	if c.q.isClosed() {
		return queue.ErrClosed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return queue.ErrClosed
	}
	return nil
}

// fetch takes up to max available messages; when there are none it waits up to
// fetchWait for one, and then takes what else is available.
func (c *consumer) fetch(ctx context.Context, max int) ([]jetstream.Msg, error) {
	msgs, err := c.batch(c.cons.FetchNoWait(max))
	if err != nil || len(msgs) > 0 {
		return msgs, err
	}
	wait := fetchWait
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(d))
	}
	if wait <= time.Millisecond {
		return nil, nil
	}
	msgs, err = c.batch(c.cons.Fetch(1, jetstream.FetchMaxWait(wait)))
	if err != nil || len(msgs) == 0 || max == 1 {
		return msgs, err
	}
	more, err := c.batch(c.cons.FetchNoWait(max - 1))
	return append(msgs, more...), err
}

// batch collects a fetch's messages; a fetch that ends without messages is not an error.
func (c *consumer) batch(b jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return nil, c.fetchError(err)
	}
	var msgs []jetstream.Msg
	for m := range b.Messages() {
		msgs = append(msgs, m)
	}
	if err := b.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoHeartbeat) {
		if len(msgs) > 0 {
			return msgs, nil
		}
		return nil, c.fetchError(err)
	}
	return msgs, nil
}

func (c *consumer) fetchError(err error) error {
	if c.q.isClosed() {
		return queue.ErrClosed
	}
	return fmt.Errorf("receive from %s/%s: %w", c.topic, c.group, err)
}

// drained reports whether nothing more can come to c: the group has nothing pending and
// nothing in flight but what c holds.
func (c *consumer) drained(ctx context.Context) (bool, error) {
	info, err := c.cons.Info(ctx)
	if err != nil {
		return false, c.fetchError(err)
	}
	c.mu.Lock()
	held := len(c.held)
	c.mu.Unlock()
	return info.NumPending == 0 && info.NumAckPending <= held, nil
}

func (c *consumer) deliver(msgs []jetstream.Msg) ([]*queue.Delivery, error) {
	ds := make([]*queue.Delivery, 0, len(msgs))
	c.q.m.Deliveries.WithLabelValues(c.topic, c.group).Add(float64(len(msgs)))
	type bad struct {
		m   jetstream.Msg
		err error
	}
	var unreadable []bad
	defer func() {
		for _, b := range unreadable { // after the lock: this publishes
			c.unreadable(b.m, b.err)
		}
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range msgs {
		key, err := c.q.key(c.topic, m.Subject())
		if err != nil {
			return nil, err
		}
		attempt := 1
		if md, err := m.Metadata(); err == nil {
			attempt = int(md.NumDelivered)
		}
		if attempt > 1 {
			c.q.m.Redelivered.WithLabelValues(c.topic, c.group).Inc()
		}
		body, err := c.q.enc.body(m.Headers(), m.Data())
		if err != nil {
			// No consumer could ever read it: a dead letter at once, as it was stored.
			unreadable = append(unreadable, bad{m, err})
			continue
		}
		c.next++
		c.held[c.next] = m
		ds = append(ds, queue.NewDelivery(queue.Message{Key: key, Body: body}, attempt, c, c.next))
	}
	return ds, nil
}

// unreadable stores a delivery whose body cannot be restored as a dead letter and
// terminates it; when that fails the server delivers it again after nack_delay.
func (c *consumer) unreadable(m jetstream.Msg, cause error) {
	c.q.log.Error("a message cannot be read; storing it as a dead letter", "topic", c.topic, "group", c.group, "err", cause)
	if err := c.q.bury(c.topic, c.group, m, cause); err != nil {
		c.q.log.Warn("store an unreadable message as a dead letter", "topic", c.topic, "group", c.group, "err", err)
		_ = m.NakWithDelay(c.q.cfg.NackDelay)
		return
	}
	c.q.m.DeadLetters.WithLabelValues(c.topic, c.group).Inc()
	_ = m.Term()
}

// take removes a held delivery, for settling it.
func (c *consumer) take(tag uint64) (jetstream.Msg, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.held[tag]
	if !ok {
		return nil, fmt.Errorf("settle delivery %d of %s/%s: not held (settled, or given back on close)", tag, c.topic, c.group)
	}
	delete(c.held, tag)
	return m, nil
}

// Ack acknowledges a delivery; once every group did, the server removes the message.
func (c *consumer) Ack(tag uint64) error {
	m, err := c.take(tag)
	if err != nil {
		return err
	}
	if err := m.Ack(); err != nil {
		return fmt.Errorf("ack %s/%s: %w", c.topic, c.group, err)
	}
	return nil
}

// Nack has the server deliver it again after nack_delay.
func (c *consumer) Nack(tag uint64, _ error) error {
	m, err := c.take(tag)
	if err != nil {
		return err
	}
	if err := m.NakWithDelay(c.q.cfg.NackDelay); err != nil {
		return fmt.Errorf("nack %s/%s: %w", c.topic, c.group, err)
	}
	return nil
}

// Reject stores the delivery as a dead letter, then terminates it.
func (c *consumer) Reject(tag uint64, cause error) error {
	c.mu.Lock()
	m, ok := c.held[tag]
	c.mu.Unlock()
	if !ok {
		_, err := c.take(tag)
		return err
	}
	if err := c.q.bury(c.topic, c.group, m, cause); err != nil {
		return err
	}
	c.q.m.DeadLetters.WithLabelValues(c.topic, c.group).Inc()
	if _, err := c.take(tag); err != nil {
		return err
	}
	if err := m.Term(); err != nil {
		return fmt.Errorf("terminate rejected delivery of %s/%s: %w", c.topic, c.group, err)
	}
	return nil
}

// Close leaves the group, giving back what c holds.
func (c *consumer) Close() error {
	c.giveBack()
	c.q.mu.Lock()
	delete(c.q.consumers, c)
	c.q.mu.Unlock()
	return nil
}

// giveBack closes c and has the server deliver what it holds again at once.
func (c *consumer) giveBack() {
	c.mu.Lock()
	held := c.held
	c.held = map[uint64]jetstream.Msg{}
	c.closed = true
	c.mu.Unlock()
	for _, m := range held {
		_ = m.Nak()
	}
}

// inProgress resets the server's ack_wait of every delivery c holds.
func (c *consumer) inProgress() {
	c.mu.Lock()
	held := make([]jetstream.Msg, 0, len(c.held))
	for _, m := range c.held {
		held = append(held, m)
	}
	c.mu.Unlock()
	for _, m := range held {
		if err := m.InProgress(); err != nil {
			c.q.log.Warn("extend a held delivery", "topic", c.topic, "group", c.group, "err", err)
			return
		}
	}
}
