package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"maps"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// take removes a held delivery, so that it is settled once.
func (c *consumer) take(tag uint64) (held, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.held[tag]
	switch {
	case ok:
		delete(c.held, tag)
		return h, nil
	case c.closed:
		return held{}, queue.ErrClosed
	}
	return held{}, ErrUnknownDelivery
}

// putBack holds a delivery again after a settlement failed before reaching the broker.
func (c *consumer) putBack(tag uint64, h held) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.held[tag] = h
	}
}

// Ack implements queue.Acknowledger.
func (c *consumer) Ack(tag uint64) error {
	h, err := c.take(tag)
	if err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	if err := h.d.Ack(false); err != nil {
		return fmt.Errorf("ack: %w", settleErr(err))
	}
	return nil
}

// Nack implements queue.Acknowledger. A quorum queue counts the redelivery itself. A
// classic queue only flags it, so the message is published again to its queue with its
// next attempt, then the delivery acknowledged: it goes to the back of its queue, behind
// later messages of its key. If that fails, the broker requeues the delivery in place.
func (c *consumer) Nack(tag uint64, _ error) error {
	h, err := c.take(tag)
	if err != nil {
		return fmt.Errorf("nack: %w", err)
	}
	if c.q.cfg.QueueType == QueueClassic {
		err := c.q.requeue(h)
		if err == nil {
			if err := h.d.Ack(false); err != nil {
				return fmt.Errorf("nack: requeued, but %w", settleErr(err))
			}
			return nil
		}
		c.q.log.Debug("requeue by publishing again; nacking in place", "queue", h.queue, "err", err)
	}
	// basic.reject, not basic.nack: since RabbitMQ 4.0 only a reject counts in
	// x-delivery-count.
	if err := h.d.Reject(true); err != nil {
		return fmt.Errorf("nack: %w", settleErr(err))
	}
	return nil
}

// Reject implements queue.Acknowledger: the dead letter is confirmed before the delivery
// is acknowledged.
func (c *consumer) Reject(tag uint64, cause error) error {
	h, err := c.take(tag)
	if err != nil {
		return fmt.Errorf("reject: %w", err)
	}
	reason := "rejected"
	if cause != nil {
		reason = cause.Error()
	}
	l := queue.DeadLetter{
		Message: queue.Message{Key: keyOf(h.d.Headers, h.d.RoutingKey), Body: h.d.Body},
		Topic:   c.t.name, Group: c.group, Attempt: h.attempt, Reason: reason, At: c.q.opts.Now(),
	}
	if err := c.q.bury(l); err != nil {
		c.putBack(tag, h)
		return fmt.Errorf("reject: %w", err)
	}
	c.q.metrics.DeadLetters.WithLabelValues(c.t.name, c.group).Inc()
	if err := h.d.Ack(false); err != nil {
		return fmt.Errorf("reject: dead letter stored, but %w", settleErr(err))
	}
	return nil
}

// requeue publishes a held delivery again to its queue, as its next attempt.
func (q *Queue) requeue(h held) error {
	headers := maps.Clone(h.d.Headers)
	if headers == nil {
		headers = amqp.Table{}
	}
	delete(headers, hdrDeliveryCount)
	headers[hdrKey] = keyOf(h.d.Headers, h.d.RoutingKey)
	headers[hdrAttempt] = int64(h.attempt + 1)
	pub := amqp.Publishing{
		Headers: headers, DeliveryMode: amqp.Persistent, Body: h.d.Body,
		ContentType: h.d.ContentType, ContentEncoding: h.d.ContentEncoding,
		MessageId: h.d.MessageId, Timestamp: h.d.Timestamp, Type: h.d.Type,
	}
	return q.sendOne(outgoing{exchange: "", key: h.queue, pub: pub})
}

// sendOne publishes one message, within publish_timeout, and reports any answer but an
// acknowledgement as an error.
func (q *Queue) sendOne(m outgoing) error {
	ctx, cancel := context.WithTimeout(q.ctx, q.cfg.PublishTimeout)
	defer cancel()
	res, err := q.send(ctx, []outgoing{m}, false)
	switch {
	case err != nil:
		return err
	case res.returned > 0:
		return fmt.Errorf("to queue %s: %w", m.key, ErrUnroutable)
	case res.nacked > 0:
		return fmt.Errorf("to queue %s: %w", m.key, queue.ErrFull)
	}
	return nil
}

// settleErr tells a delivery of a lost channel from other failures.
func settleErr(err error) error {
	if errors.Is(err, amqp.ErrClosed) {
		return fmt.Errorf("%w: %w", ErrStaleDelivery, err)
	}
	return classify(err)
}
