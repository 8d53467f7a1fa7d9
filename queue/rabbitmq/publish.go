package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// maxMessageBytes is the broker's default limit on one message (max_message_size).
const maxMessageBytes = 128 << 20

// outgoing is one message for the broker.
type outgoing struct {
	exchange, key string
	pub           amqp.Publishing
}

// outcome counts the broker's answers to published messages. A returned message is also
// acknowledged.
type outcome struct {
	acked, nacked, returned int
}

func (o *outcome) add(p outcome) {
	o.acked += p.acked
	o.nacked += p.nacked
	o.returned += p.returned
}

// Publish returns once the broker has confirmed every message: stored durably in every
// queue it routes to. A message that a full queue refused fails the call with
// queue.ErrFull, one larger than the limit of its queue with queue.ErrTooLarge, and a
// broker out of reach with ErrUnavailable, at once. Part of a failed multi-message call may
// be stored (the error says how much): the caller retries the whole call.
func (q *Queue) Publish(ctx context.Context, name string, msgs ...queue.Message) error {
	t, err := q.lookup(ctx, name)
	if err != nil {
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := q.fits(t, msgs); err != nil {
		q.metrics.PublishErrors.WithLabelValues(name, reasonTooLarge).Inc()
		return fmt.Errorf("publish to %s: %w", name, err)
	}
	if t.keyed {
		for _, m := range msgs {
			if err := q.ensureKey(ctx, t, m.Key); err != nil {
				return q.publishResult(t, len(msgs), outcome{}, fmt.Errorf("declare the queues of key %q: %w", m.Key, err))
			}
		}
	}
	out := make([]outgoing, len(msgs))
	for i, m := range msgs {
		out[i] = outgoing{exchange: t.exchange, pub: amqp.Publishing{
			Headers: amqp.Table{hdrKey: m.Key}, DeliveryMode: amqp.Persistent, Body: m.Body,
		}}
		if t.keyed {
			out[i].key = routingKey(m.Key)
		}
	}
	start := time.Now()
	res, err := q.send(ctx, out, q.cfg.QueueType == QueueQuorum)
	q.metrics.Confirm.WithLabelValues(name).Observe(time.Since(start).Seconds())
	return q.publishResult(t, len(msgs), res, err)
}

func (q *Queue) publishResult(t *topic, n int, res outcome, err error) error {
	m := q.metrics
	switch {
	case err != nil:
		if errors.Is(err, ErrUnavailable) {
			m.PublishErrors.WithLabelValues(t.name, reasonUnavailable).Inc()
		}
		return fmt.Errorf("publish to %s: %d of %d messages confirmed: %w", t.name, res.acked, n, err)
	case res.returned > 0:
		t.forget()
		m.PublishErrors.WithLabelValues(t.name, reasonUnroutable).Inc()
		return fmt.Errorf("publish to %s: %d of %d messages unroutable: %w", t.name, res.returned, n, ErrUnroutable)
	case res.nacked > 0:
		m.Published.WithLabelValues(t.name).Add(float64(res.acked))
		m.PublishErrors.WithLabelValues(t.name, reasonFull).Inc()
		return fmt.Errorf("publish to %s: refused, %d of %d messages stored: %w",
			t.name, res.acked, n, queue.ErrFull)
	}
	m.Published.WithLabelValues(t.name).Add(float64(n))
	return nil
}

// fits refuses what no queue of the topic could ever hold: a message, or the messages of
// a call for one queue, larger than its limit.
func (q *Queue) fits(t *topic, msgs []queue.Message) error {
	totals := map[string]int64{}
	for _, m := range msgs {
		if len(m.Body) > maxMessageBytes {
			return fmt.Errorf("message of %d bytes, the broker takes at most %d: %w",
				len(m.Body), maxMessageBytes, queue.ErrTooLarge)
		}
		key := ""
		if t.keyed {
			key = m.Key
		}
		totals[key] += int64(len(m.Body))
	}
	for key, n := range totals {
		if limit := q.maxBytes(t, key); n > limit {
			return fmt.Errorf("%d bytes for one queue, whose limit is %d: %w", n, limit, queue.ErrTooLarge)
		}
	}
	return nil
}

// send publishes msgs in order and waits for their confirms; it stops at the first chunk
// that was not wholly stored, so that what is stored of a call is a prefix of it (or, for
// a chunk refused midway, of each queue's part). Serial sends await each confirm before
// the next message: a quorum queue notices that it is over its limit only after storing
// the message that took it there, and would take everything already on its way.
func (q *Queue) send(ctx context.Context, msgs []outgoing, serial bool) (outcome, error) {
	var res outcome
	chunk := maxCallMessages
	if serial {
		chunk = 1
	}
	for len(msgs) > 0 {
		n := min(len(msgs), chunk)
		r, err := q.sendChunk(ctx, msgs[:n])
		res.add(r)
		if err != nil || r.nacked > 0 || r.returned > 0 {
			return res, err
		}
		msgs = msgs[n:]
	}
	return res, nil
}

func (q *Queue) sendChunk(ctx context.Context, msgs []outgoing) (outcome, error) {
	if err := ctx.Err(); err != nil {
		return outcome{}, err
	}
	pc, err := q.pubs.get()
	if err != nil {
		return outcome{}, err
	}
	reuse := false
	defer func() { q.pubs.put(pc, reuse) }()
	dcs := make([]*amqp.DeferredConfirmation, 0, len(msgs))
	for _, m := range msgs {
		dc, err := pc.ch.PublishWithDeferredConfirm(m.exchange, m.key, true, false, m.pub)
		if err != nil {
			return outcome{}, classify(err)
		}
		dcs = append(dcs, dc)
	}
	// Once sent, the messages may be stored, and consumed, whatever ctx says: the confirms
	// are awaited anyway, within publish_timeout, so that the answer is exact.
	var res outcome
	timer := time.NewTimer(q.cfg.PublishTimeout)
	defer timer.Stop()
	for _, dc := range dcs {
		select {
		case <-dc.Done():
		case <-timer.C:
			return res, fmt.Errorf("%w: no confirm within %s", ErrUnavailable, q.cfg.PublishTimeout)
		case <-q.ctx.Done():
			return res, queue.ErrClosed
		}
		if dc.Acked() {
			res.acked++
		} else {
			res.nacked++
		}
	}
	if res.nacked > 0 && pc.ch.IsClosed() {
		// The library nacks what was unconfirmed when the channel closed.
		return res, pc.closeErr()
	}
	res.returned = pc.drainReturns()
	reuse = true
	return res, nil
}
