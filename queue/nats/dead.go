package nats

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	natsio "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/trolly-logs/trolly/queue"
)

// Headers of a dead letter; the key and reason are quoted Go strings, so that any value
// fits on a header line.
const (
	headerTopic   = "Trolly-Topic"
	headerGroup   = "Trolly-Group"
	headerKey     = "Trolly-Key"
	headerAttempt = "Trolly-Attempt"
	headerReason  = "Trolly-Reason"
	headerAt      = "Trolly-At"
)

// deadReader is the durable that DeadLetters reads with.
const deadReader = "dead-letters"

func (q *Queue) deadStream() string  { return q.cfg.Prefix + "_dead" }
func (q *Queue) deadSubject() string { return q.cfg.Prefix + ".dead" }

// declareDead creates the dead-letter stream, a work queue bounded by max_bytes that
// drops its oldest letters, and the consumer that reads it.
func (q *Queue) declareDead(ctx context.Context) error {
	_, err := q.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:      q.deadStream(),
		Subjects:  []string{q.deadSubject()},
		Retention: jetstream.WorkQueuePolicy,
		Discard:   jetstream.DiscardOld,
		MaxBytes:  q.cfg.MaxBytes,
		Storage:   jetstream.FileStorage,
		Replicas:  q.cfg.Replicas,
	})
	if err != nil {
		return fmt.Errorf("declare stream %s: %w", q.deadStream(), err)
	}
	dead, err := q.js.CreateOrUpdateConsumer(ctx, q.deadStream(), jetstream.ConsumerConfig{
		Durable:   deadReader,
		AckPolicy: jetstream.AckExplicitPolicy,
		AckWait:   q.cfg.AckWait,
	})
	if err != nil {
		return fmt.Errorf("declare the reader of %s: %w", q.deadStream(), err)
	}
	q.dead = dead
	return nil
}

// bury stores m as a dead letter of topic and group.
func (q *Queue) bury(topic, group string, m jetstream.Msg, cause error) error {
	key, err := q.key(topic, m.Subject())
	if err != nil {
		return err
	}
	attempt := 1
	if md, err := m.Metadata(); err == nil {
		attempt = int(md.NumDelivered)
	}
	reason := "rejected"
	if cause != nil {
		reason = cause.Error()
	}
	dl := natsio.NewMsg(q.deadSubject())
	dl.Data = m.Data() // as stored, compressed or not
	if enc := m.Headers().Get(headerEncoding); enc != "" {
		dl.Header.Set(headerEncoding, enc)
	}
	dl.Header.Set(headerTopic, topic)
	dl.Header.Set(headerGroup, group)
	dl.Header.Set(headerKey, strconv.Quote(key))
	dl.Header.Set(headerAttempt, strconv.Itoa(attempt))
	dl.Header.Set(headerReason, strconv.Quote(reason))
	dl.Header.Set(headerAt, time.Now().UTC().Format(time.RFC3339Nano))
	ctx, cancel := context.WithTimeout(context.Background(), q.cfg.PublishTimeout)
	defer cancel()
	if _, err := q.js.PublishMsg(ctx, dl); err != nil {
		return fmt.Errorf("store dead letter of %s/%s: %w", topic, group, err)
	}
	return nil
}

// DeadLetters removes and returns up to max dead letters, oldest first.
func (q *Queue) DeadLetters(ctx context.Context, max int) ([]queue.DeadLetter, error) {
	if q.isClosed() {
		return nil, queue.ErrClosed
	}
	if max < 1 {
		return nil, nil
	}
	b, err := q.dead.FetchNoWait(max)
	if err != nil {
		return nil, fmt.Errorf("read dead letters: %w", err)
	}
	var out []queue.DeadLetter
	for m := range b.Messages() {
		dl, err := q.parseDead(m)
		if err != nil {
			q.log.Warn("drop an unreadable dead letter", "err", err)
		}
		if err := m.DoubleAck(ctx); err != nil {
			return out, fmt.Errorf("remove dead letter: %w", err)
		}
		if err == nil {
			out = append(out, dl)
		}
	}
	if err := b.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
		return out, fmt.Errorf("read dead letters: %w", err)
	}
	return out, nil
}

// parseDead reads a dead letter. A body that cannot be restored (the cause of some dead
// letters) is returned as stored, its error added to the reason.
func (q *Queue) parseDead(m jetstream.Msg) (queue.DeadLetter, error) {
	h := m.Headers()
	key, err := strconv.Unquote(h.Get(headerKey))
	if err != nil {
		return queue.DeadLetter{}, fmt.Errorf("key header %q: %w", h.Get(headerKey), err)
	}
	reason, err := strconv.Unquote(h.Get(headerReason))
	if err != nil {
		return queue.DeadLetter{}, fmt.Errorf("reason header %q: %w", h.Get(headerReason), err)
	}
	attempt, err := strconv.Atoi(h.Get(headerAttempt))
	if err != nil {
		return queue.DeadLetter{}, fmt.Errorf("attempt header: %w", err)
	}
	at, err := time.Parse(time.RFC3339Nano, h.Get(headerAt))
	if err != nil {
		return queue.DeadLetter{}, fmt.Errorf("time header: %w", err)
	}
	body, err := q.enc.body(h, m.Data())
	if err != nil {
		body = m.Data()
		reason += " (the body is as stored: " + err.Error() + ")"
	}
	return queue.DeadLetter{
		Message: queue.Message{Key: key, Body: body},
		Topic:   h.Get(headerTopic), Group: h.Get(headerGroup),
		Attempt: attempt, Reason: reason, At: at,
	}, nil
}
