package queuetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/queue"
)

var errRetry = errors.New("conformance suite: retry")

func testRedeliverAfterNack(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])
	publish(t, q, topic, messages("k", "m", 0, 1)...)

	prev := receive(t, c, 1)[0]
	require.Equal(t, 1, prev.Attempt)
	for range 2 {
		require.NoError(t, prev.Nack(errRetry))
		d := receive(t, c, 1)[0]
		require.Equal(t, string(prev.Body), string(d.Body))
		require.Equal(t, prev.Key, d.Key)
		require.Greater(t, d.Attempt, prev.Attempt)
		prev = d
	}
	ack(t, prev)

	// Acknowledged, it does not come back: the next delivery of its key is the next message.
	publish(t, q, topic, messages("k", "next", 0, 1)...)
	require.Equal(t, "next-0000", string(receiveAck(t, c, 1)[0].Body))
}

func testRedeliverAfterClose(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c1 := subscribe(t, q, topic, groups[0])
	msgs := messages("k", "m", 0, 10)
	publish(t, q, topic, msgs...)

	got := receive(t, c1, len(msgs))
	require.Equal(t, messageBodies(msgs), bodies(got), "one key arrives in publish order")
	ack(t, got[:3]...)
	c2 := subscribe(t, q, topic, groups[0])
	require.NoError(t, c1.Close())

	again := receiveAck(t, c2, len(got)-3)
	require.ElementsMatch(t, bodies(got[3:]), bodies(again))
	for _, d := range again {
		require.Greater(t, d.Attempt, 1, "redelivery of %q", d.Body)
	}
	publish(t, q, topic, messages("k", "next", 0, 1)...)
	require.Equal(t, "next-0000", string(receiveAck(t, c2, 1)[0].Body))
}

// testAtLeastOnceConcurrent has consumers nack some first deliveries while a publisher
// runs: every message must be acknowledged at least once, and nothing else delivered.
func testAtLeastOnceConcurrent(t *testing.T, newQueue NewQueue) {
	const consumers, keys, total, perCall = 4, 50, 1000, 20
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	msgs := make([]queue.Message, total)
	for i := range msgs {
		msgs[i] = queue.Message{Key: fmt.Sprintf("k%02d", i%keys), Body: fmt.Appendf(nil, "m-%04d", i)}
	}
	cs := make([]queue.Consumer, consumers)
	for i := range cs {
		cs[i] = subscribe(t, q, topic, groups[0])
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*wait)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	// The consumers may ack the last message before its publisher has its confirm, and then
	// end ctx: publishing has a bounded context of its own.
	pctx, pcancel := context.WithTimeout(t.Context(), 2*wait)
	defer pcancel()
	g.Go(func() error {
		for i := 0; i < total; i += perCall {
			if err := q.Publish(pctx, topic, msgs[i:i+perCall]...); err != nil {
				return fmt.Errorf("publish message %d: %w", i, err)
			}
		}
		return nil
	})
	r := &ackRecord{acked: map[int]int{}, done: cancel, total: total}
	for _, c := range cs {
		g.Go(func() error { return r.consume(gctx, c) })
	}
	require.NoError(t, g.Wait())

	require.Empty(t, r.unexpected, "delivered but never published")
	require.Len(t, r.acked, total, "acknowledged messages")
	for i, attempt := range r.acked {
		if nackFirst(i) {
			require.Greater(t, attempt, 1, "message %d was nacked on its first delivery", i)
		}
	}
}

func nackFirst(i int) bool { return i%13 == 0 }

// ackRecord collects what concurrent consumers acknowledged.
type ackRecord struct {
	mu         sync.Mutex
	acked      map[int]int // message index: attempt of its first ack
	unexpected []string
	total      int
	done       func()
}

func (r *ackRecord) consume(ctx context.Context, c queue.Consumer) error {
	for {
		ds, err := c.Receive(ctx, 16)
		if err != nil {
			if ctx.Err() != nil {
				return nil // all acknowledged, or timed out: the caller checks which
			}
			return fmt.Errorf("receive: %w", err)
		}
		for _, d := range ds {
			if err := r.settle(d); err != nil {
				return err
			}
		}
	}
}

func (r *ackRecord) settle(d *queue.Delivery) error {
	digits, ok := strings.CutPrefix(string(d.Body), "m-")
	i, err := strconv.Atoi(digits)
	if !ok || err != nil || i < 0 || i >= r.total {
		r.mu.Lock()
		r.unexpected = append(r.unexpected, string(d.Body))
		r.mu.Unlock()
		return d.Ack()
	}
	if nackFirst(i) && d.Attempt == 1 {
		return d.Nack(errRetry)
	}
	if err := d.Ack(); err != nil {
		return fmt.Errorf("ack message %d: %w", i, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.acked[i]; !ok {
		r.acked[i] = d.Attempt
	}
	if len(r.acked) == r.total {
		r.done()
	}
	return nil
}

// testConsumersShareWork checks that while one consumer holds a delivery, another of its
// group receives other messages.
func testConsumersShareWork(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c1 := subscribe(t, q, topic, groups[0])
	c2 := subscribe(t, q, topic, groups[0])
	var msgs []queue.Message
	for k := range 64 {
		msgs = append(msgs, messages(fmt.Sprintf("k%02d", k), fmt.Sprintf("k%02d", k), 0, 2)...)
	}
	publish(t, q, topic, msgs...)

	held := receive(t, c1, 1)
	other := receive(t, c2, 1)
	require.Contains(t, messageBodies(msgs), string(other[0].Body))
	ack(t, held[0], other[0])
}
