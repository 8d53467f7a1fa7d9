package memory

import (
	"context"
	"fmt"

	"github.com/trolly-logs/trolly/queue"
)

// consumer is one member of a group; it is also the Acknowledger of its deliveries.
type consumer struct {
	t        *topic
	g        *group
	inflight map[uint64]flight // guarded by t.mu
	closed   bool              // guarded by t.mu
}

// flight is an unacknowledged delivery and the partition it came from.
type flight struct {
	it   item
	part int
}

var _ queue.Acknowledger = (*consumer)(nil)

// Receive blocks until the group has a delivery for c and returns up to limit of them.
func (c *consumer) Receive(ctx context.Context, limit int) ([]*queue.Delivery, error) {
	if limit < 1 {
		return nil, fmt.Errorf("receive from %s/%s: max must be > 0, got %d", c.t.name, c.g.name, limit)
	}
	for {
		ds, wake, err := c.poll(ctx, limit)
		if wake == nil {
			return ds, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-wake:
		}
	}
}

// poll returns deliveries, or an error, or else a channel closed when it is worth polling
// again.
func (c *consumer) poll(ctx context.Context, limit int) ([]*queue.Delivery, <-chan struct{}, error) {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	if c.t.closed || c.closed {
		return nil, nil, fmt.Errorf("receive from %s/%s: %w", c.t.name, c.g.name, queue.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if ds := c.g.take(c, limit); len(ds) > 0 {
		return ds, nil, nil
	}
	// Drained for c once nothing can come back to it but what it holds itself.
	if c.t.sealed && c.g.pending == 0 && c.g.inflight == len(c.inflight) {
		return nil, nil, fmt.Errorf("receive from sealed %s/%s: %w", c.t.name, c.g.name, queue.ErrClosed)
	}
	return nil, c.g.waitChan(), nil
}

// Ack settles a delivery; once every group has acknowledged a message its bytes are free.
func (c *consumer) Ack(tag uint64) error {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	f, err := c.settle("ack", tag)
	if err != nil {
		return err
	}
	c.g.inflight--
	c.g.release(f.part)
	c.t.unrefLocked(f.it.e)
	c.g.updateDepth()
	return nil
}

// Nack puts the delivery back at the head of its partition. The cause is not kept: a nack
// is for failures that pass; what can never be processed is rejected into the dead letters.
func (c *consumer) Nack(tag uint64, _ error) error {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	f, err := c.settle("nack", tag)
	if err != nil {
		return err
	}
	c.g.requeue(f)
	c.g.release(f.part)
	c.g.broadcast()
	return nil
}

func (c *consumer) settle(op string, tag uint64) (flight, error) {
	if c.t.closed {
		return flight{}, fmt.Errorf("%s delivery %d of %s/%s: %w", op, tag, c.t.name, c.g.name, queue.ErrClosed)
	}
	f, ok := c.inflight[tag]
	if !ok {
		return flight{}, fmt.Errorf("%s delivery %d of %s/%s: %w", op, tag, c.t.name, c.g.name, ErrUnknownDelivery)
	}
	delete(c.inflight, tag)
	return f, nil
}

// Close leaves the group; unacknowledged deliveries go back to the heads of their
// partitions in publish order.
func (c *consumer) Close() error {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	if c.closed || c.t.closed {
		c.closed = true
		return nil
	}
	c.closed = true
	for _, f := range c.inflight {
		c.g.requeue(f)
		c.g.release(f.part)
	}
	c.inflight = nil
	c.g.broadcast()
	return nil
}
