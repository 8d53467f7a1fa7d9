package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// inbound is a delivery on its way to Receive, with the channel and queue it came from.
type inbound struct {
	d     amqp.Delivery
	ch    *amqp.Channel
	queue string
}

// held is a delivery returned by Receive and not settled yet.
type held struct {
	inbound
	attempt int
}

// consumer consumes every queue of its group: the group queue of an unkeyed topic, or
// the group's queue of every key of a keyed topic, as keys become known. It runs one
// channel per connection; the broker gives back what the channel held when it closes.
type consumer struct {
	q     *Queue
	t     *topic
	group string
	ctx   context.Context
	stop  context.CancelFunc
	in    chan inbound
	wg    sync.WaitGroup

	mu      sync.Mutex
	started bool
	closed  bool
	held    map[uint64]held
	nextTag uint64
}

func (q *Queue) newConsumer(t *topic, group string) *consumer {
	ctx, stop := context.WithCancel(q.ctx)
	return &consumer{q: q, t: t, group: group, ctx: ctx, stop: stop, in: make(chan inbound), held: map[uint64]held{}}
}

// Receive blocks until a delivery is ready and returns up to max of them. The first call
// starts consuming.
func (c *consumer) Receive(ctx context.Context, max int) ([]*queue.Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if max < 1 {
		return nil, fmt.Errorf("receive: max must be > 0, got %d", max)
	}
	if !c.start() {
		return nil, queue.ErrClosed
	}
	first, err := c.wait(ctx)
	if err != nil {
		return nil, err
	}
	out := []*queue.Delivery{first}
	for len(out) < max {
		select {
		case in := <-c.in:
			if d := c.accept(in); d != nil {
				out = append(out, d)
			}
		default:
			return out, nil
		}
	}
	return out, nil
}

func (c *consumer) start() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.ctx.Err() != nil {
		return false
	}
	if !c.started {
		c.started = true
		c.wg.Add(1)
		if !c.q.spawn(func() { defer c.wg.Done(); c.run() }) {
			c.wg.Done()
			return false
		}
	}
	return true
}

func (c *consumer) wait(ctx context.Context) (*queue.Delivery, error) {
	for {
		select {
		case in := <-c.in:
			if d := c.accept(in); d != nil {
				return d, nil
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.ctx.Done():
			return nil, queue.ErrClosed
		}
	}
}

// accept turns a delivery into a queue.Delivery; nil for one of a closed channel, which
// the broker delivers again.
func (c *consumer) accept(in inbound) *queue.Delivery {
	if in.ch.IsClosed() {
		return nil
	}
	attempt := attemptOf(in.d.Headers, in.d.Redelivered)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.nextTag++
	tag := c.nextTag
	c.held[tag] = held{inbound: in, attempt: attempt}
	c.mu.Unlock()
	c.q.metrics.Deliveries.WithLabelValues(c.t.name, c.group).Inc()
	if attempt > 1 {
		c.q.metrics.Redelivered.WithLabelValues(c.t.name, c.group).Inc()
	}
	m := queue.Message{Key: keyOf(in.d.Headers, in.d.RoutingKey), Body: in.d.Body}
	return queue.NewDelivery(m, attempt, c, tag)
}

// Close stops consuming; the broker gives what this consumer held back to the group.
func (c *consumer) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	clear(c.held)
	c.mu.Unlock()
	c.stop()
	c.wg.Wait()
	return nil
}

// run consumes on every connection until the consumer closes.
func (c *consumer) run() {
	b := backoff{min: c.q.cfg.ReconnectMin, max: c.q.cfg.ReconnectMax}
	for {
		conn, _, err := c.q.link.wait(c.ctx)
		if err != nil {
			return
		}
		start := time.Now()
		err = c.session(conn)
		if c.ctx.Err() != nil {
			return
		}
		if !conn.IsClosed() {
			c.q.log.Warn("consume; starting again", "topic", c.t.name, "group", c.group, "err", err)
		}
		if !b.wait(c.ctx.Done(), time.Since(start)) {
			return
		}
	}
}

// session consumes on one channel until it closes or the consumer does.
func (c *consumer) session(conn *amqp.Connection) error {
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	var fwd sync.WaitGroup
	stop := make(chan struct{})
	defer fwd.Wait()
	defer close(stop)
	defer func() { _ = ch.Close() }()
	closed := ch.NotifyClose(make(chan *amqp.Error, 1))
	n, prefetch := 0, 0
	for {
		queues, changed, err := c.queues(&n)
		if err != nil {
			return err
		}
		for _, name := range queues {
			if p := c.prefetch(); p != prefetch {
				if err := ch.Qos(p, 0, false); err != nil {
					return err
				}
				prefetch = p
			}
			ds, err := ch.Consume(name, "", false, false, false, false, nil)
			if err != nil {
				return err
			}
			fwd.Add(1)
			go func() {
				defer fwd.Done()
				c.forward(ch, name, ds, stop)
			}()
		}
		select {
		case err := <-closed:
			if err == nil {
				return errors.New("channel closed")
			}
			return fmt.Errorf("channel closed: %w", err)
		case <-changed:
		case <-c.ctx.Done():
			return nil
		}
	}
}

// queues returns the queues to consume beyond the first n, making sure they exist, and a
// channel closed when there are more.
func (c *consumer) queues(n *int) ([]string, <-chan struct{}, error) {
	if !c.t.keyed {
		if *n > 0 {
			return nil, nil, nil
		}
		*n = 1
		return []string{c.q.names.groupQueue(c.t.name, c.group)}, nil, nil
	}
	keys, total, changed := c.t.keysFrom(*n)
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		name, err := c.q.consumeKeyQueue(c.t, c.group, k)
		if err != nil {
			return nil, nil, err
		}
		names = append(names, name)
	}
	*n = total
	return names, changed, nil
}

// prefetch is the broker's window per queue consumed: the key queues of a keyed topic
// share Config.Prefetch, each getting at least one when it is first consumed. (A window
// per channel, basic.qos global, would be exact, but quorum queues refuse it and RabbitMQ
// 4.3 denies it by default.)
func (c *consumer) prefetch() int {
	if !c.t.keyed {
		return c.q.cfg.Prefetch
	}
	return max(1, c.q.cfg.Prefetch/max(1, c.t.keyCount()))
}

func (c *consumer) forward(ch *amqp.Channel, name string, ds <-chan amqp.Delivery, stop <-chan struct{}) {
	for d := range ds {
		select {
		case c.in <- inbound{d: d, ch: ch, queue: name}:
		case <-stop:
			return
		case <-c.ctx.Done():
			return
		}
	}
	if !ch.IsClosed() {
		// The broker cancelled the consumer (its queue was deleted): start over.
		c.q.log.Warn("the broker cancelled a consumer; consuming again", "queue", name)
		_ = ch.Close()
	}
}
