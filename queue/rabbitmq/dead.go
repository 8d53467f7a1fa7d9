package rabbitmq

import (
	"context"
	"errors"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/trolly-logs/trolly/queue"
)

// bury publishes a dead letter to the dead-letter queue, declaring the queue again if it
// was deleted.
func (q *Queue) bury(l queue.DeadLetter) error {
	m := outgoing{exchange: "", key: q.names.dead(), pub: amqp.Publishing{
		Headers: deadHeaders(l), DeliveryMode: amqp.Persistent, Timestamp: l.At, Body: l.Body,
	}}
	err := q.sendOne(m)
	if errors.Is(err, ErrUnroutable) {
		if err = q.topo.queue(q.names.dead(), q.deadArgs()); err == nil {
			err = q.sendOne(m)
		}
	}
	if err != nil {
		return fmt.Errorf("store the dead letter: %w", err)
	}
	return nil
}

// DeadLetters removes and returns up to max dead letters of every topic, oldest first.
// They are acknowledged once all are read: on error none is removed.
func (q *Queue) DeadLetters(ctx context.Context, max int) ([]queue.DeadLetter, error) {
	if err := q.check(ctx); err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	if max < 1 {
		return nil, fmt.Errorf("read dead letters: max must be > 0, got %d", max)
	}
	conn, _, err := q.link.current()
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", classify(err))
	}
	// Closing gives back whatever was read and not acknowledged.
	defer func() { _ = ch.Close() }()
	var out []queue.DeadLetter
	var last uint64
	for len(out) < max && ctx.Err() == nil {
		d, ok, err := ch.Get(q.names.dead(), false)
		if err != nil {
			return nil, fmt.Errorf("read dead letters: %w", classify(err))
		}
		if !ok {
			break
		}
		out = append(out, deadLetterOf(d.Headers, d.Body))
		last = d.DeliveryTag
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	if last > 0 {
		if err := ch.Ack(last, true); err != nil {
			return nil, fmt.Errorf("read dead letters: %w", classify(err))
		}
	}
	return out, nil
}
