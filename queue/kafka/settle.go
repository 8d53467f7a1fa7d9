package kafka

import (
	"context"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/queue"
)

// rejectTimeout bounds the production of one dead letter.
const rejectTimeout = 30 * time.Second

// Ack settles a delivery; its offset is committed once every earlier delivery of its
// partition is settled too. The ack of a delivery whose partition was revoked returns nil
// and commits nothing: the new owner receives the record again.
func (c *consumer) Ack(tag uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.takeLocked("ack", tag)
	if f != nil {
		f.part.settle(f)
	}
	return err
}

// Nack keeps the record for redelivery ahead of anything newer of its partition; until it
// is settled, the partition's commits stay below it. The cause is not kept.
func (c *consumer) Nack(tag uint64, _ error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.takeLocked("nack", tag)
	if f != nil {
		f.tag = 0
		f.part.requeue(f)
		if c.wake != nil {
			c.wake()
		}
	}
	return err
}

// Reject produces the record to the dead letters, acknowledged by the brokers, and then
// settles it as Ack does. When producing fails the delivery stays unsettled, so the caller
// may retry or nack it.
func (c *consumer) Reject(tag uint64, cause error) error {
	c.mu.Lock()
	f, err := c.peekLocked("reject", tag)
	c.mu.Unlock()
	if err != nil || f == nil {
		return err
	}
	reason := "rejected"
	if cause != nil {
		reason = cause.Error()
	}
	dl := queue.DeadLetter{
		Message: queue.Message{Key: string(f.rec.Key), Body: f.rec.Value},
		Topic:   c.topic, Group: c.group, Attempt: f.attempt, Reason: reason, At: c.q.now(),
	}
	ctx, cancel := context.WithTimeout(c.q.ctx, rejectTimeout)
	defer cancel()
	if err := c.q.putDeadLetter(ctx, dl, f.rec.Partition, f.rec.Offset); err != nil {
		return fmt.Errorf("reject delivery %d of %s/%s: %w", tag, c.topic, c.group, err)
	}
	c.q.metrics.deadLetters.WithLabelValues(c.topic, c.group).Inc()
	return c.Ack(tag)
}

// takeLocked removes the delivery tag. It returns a nil flight and no error for a stale
// delivery, whose partition was revoked after it was delivered.
func (c *consumer) takeLocked(op string, tag uint64) (*flight, error) {
	f, err := c.peekLocked(op, tag)
	if f != nil {
		delete(c.flights, tag)
	}
	return f, err
}

// peekLocked finds the delivery tag; a stale one is forgotten and yields nil.
func (c *consumer) peekLocked(op string, tag uint64) (*flight, error) {
	if c.closed {
		return nil, fmt.Errorf("%s delivery %d of %s/%s: %w", op, tag, c.topic, c.group, queue.ErrClosed)
	}
	f, ok := c.flights[tag]
	if !ok {
		return nil, fmt.Errorf("%s delivery %d of %s/%s: %w", op, tag, c.topic, c.group, ErrUnknownDelivery)
	}
	if c.parts[f.part.id] != f.part {
		delete(c.flights, tag)
		c.stale.Inc()
		return nil, nil
	}
	return f, nil
}
