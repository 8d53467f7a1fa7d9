package queuetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// Sizes of the full-topic tests: a topic of 16 bodies of 1 KiB.
const (
	smallMaxBytes = 16 << 10
	bodyBytes     = 1 << 10
)

// padded returns a message of key "k" whose body of bodyBytes starts with "<prefix>-<i>".
// The rest is random, so that a backend that compresses bodies stores bodyBytes too.
func padded(prefix string, i int) queue.Message {
	body := make([]byte, bodyBytes)
	_, _ = rand.Read(body)
	copy(body, fmt.Sprintf("%s-%04d", prefix, i))
	return queue.Message{Key: "k", Body: body}
}

// publishEventually publishes m, retrying while the topic is full, since a broker may free
// acknowledged bytes after the acknowledgement returns.
func publishEventually(t *testing.T, q queue.Queue, topic string, m queue.Message) {
	t.Helper()
	ctx := timeout(t)
	for {
		err := q.Publish(ctx, topic, m)
		if !errors.Is(err, queue.ErrFull) {
			require.NoError(t, err)
			return
		}
		select {
		case <-ctx.Done():
			require.FailNow(t, "topic still full", "after every message was acknowledged: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func testFull(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, smallMaxBytes)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])
	ctx := timeout(t)

	var accepted []queue.Message
	for i := 0; ; i++ {
		require.Less(t, i, 4*smallMaxBytes/bodyBytes, "Publish never returned ErrFull")
		m := padded("fill", i)
		if err := q.Publish(ctx, topic, m); err != nil {
			require.ErrorIs(t, err, queue.ErrFull)
			break
		}
		accepted = append(accepted, m)
	}
	require.NotEmpty(t, accepted, "the first message did not fit")
	refused := []queue.Message{padded("refused", 0), padded("refused", 1)}
	require.ErrorIs(t, q.Publish(ctx, topic, refused...), queue.ErrFull)

	require.Equal(t, messageBodies(accepted), bodies(receiveAck(t, c, len(accepted))))
	// Room again; and the refused messages, of the same key, would have come first.
	next := padded("next", 0)
	publishEventually(t, q, topic, next)
	require.Equal(t, string(next.Body), string(receiveAck(t, c, 1)[0].Body), "a refused message was stored")
}

// testFullCall publishes a call of which only a part fits. The call fails with ErrFull; a
// broker may have stored part of it (the caller retries the whole call), but nothing
// outside the call is lost or invented, and the topic takes messages again once consumed.
func testFullCall(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, smallMaxBytes)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])
	ctx := timeout(t)

	const capacity = smallMaxBytes / bodyBytes
	held := make([]queue.Message, capacity/2)
	for i := range held {
		held[i] = padded("held", i)
	}
	require.NoError(t, q.Publish(ctx, topic, held...))
	call := make([]queue.Message, capacity*3/4)
	for i := range call {
		call[i] = padded("call", i)
	}
	err := q.Publish(ctx, topic, call...)
	require.ErrorIs(t, err, queue.ErrFull)
	require.NotErrorIs(t, err, queue.ErrTooLarge, "the call fits once the topic empties")

	require.Equal(t, messageBodies(held), bodies(receiveAck(t, c, len(held))))
	next := padded("next", 0)
	publishEventually(t, q, topic, next)
	allowed := map[string]bool{string(next.Body): true}
	for _, m := range call {
		allowed[string(m.Body)] = true
	}
	for {
		d := receiveAck(t, c, 1)[0]
		require.True(t, allowed[string(d.Body)], "%q was never published", d.Body[:16])
		delete(allowed, string(d.Body))
		if string(d.Body) == string(next.Body) {
			break
		}
	}
}

func testReceiveContext(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])

	receiveNothing(t, c) // ends with its deadline

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ds, err := c.Receive(ctx, 1)
	require.ErrorIs(t, err, context.Canceled, "context canceled before the call")
	require.Empty(t, ds)

	ctx, cancel = context.WithCancel(t.Context())
	done := receiveBlocked(ctx, c)
	cancel()
	require.ErrorIs(t, await(t, done, "Receive to return after its context was canceled"), context.Canceled)

	// The consumer still works, and lost nothing to the canceled calls.
	msgs := messages("k", "m", 0, 1)
	publish(t, q, topic, msgs...)
	require.Equal(t, messageBodies(msgs), bodies(receiveAck(t, c, 1)))
}

func testReceiveMax(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])
	msgs := append(messages("a", "a", 0, 5), messages("b", "b", 0, 5)...)
	publish(t, q, topic, msgs...)

	ctx := timeout(t)
	var got []*queue.Delivery
	for len(got) < len(msgs) {
		ds, err := c.Receive(ctx, 3)
		require.NoError(t, err)
		require.NotEmpty(t, ds)
		require.LessOrEqual(t, len(ds), 3, "Receive returned more than max")
		ack(t, ds...)
		got = append(got, ds...)
	}
	require.ElementsMatch(t, messageBodies(msgs), bodies(got))
}

func testUnknownTopic(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	ctx := timeout(t)
	err := q.Publish(ctx, unique("undeclared"), messages("k", "m", 0, 1)...)
	require.ErrorIs(t, err, queue.ErrUnknownTopic, "publish to an undeclared topic")
	_, err = q.Subscribe(ctx, unique("undeclared"), unique("group"))
	require.ErrorIs(t, err, queue.ErrUnknownTopic, "subscribe to an undeclared topic")
	topic, _ := declare(t, q, 1)
	_, err = q.Subscribe(ctx, topic, unique("undeclared"))
	require.ErrorIs(t, err, queue.ErrUnknownTopic, "subscribe with an undeclared group")
}

// testTooLarge checks that a message that can never fit is told apart from a full topic,
// since retrying it would never end.
func testTooLarge(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, smallMaxBytes)
	topic, groups := declare(t, q, 1)
	ctx := timeout(t)
	err := q.Publish(ctx, topic, queue.Message{Key: "k", Body: make([]byte, 2*smallMaxBytes)})
	require.ErrorIs(t, err, queue.ErrTooLarge)
	require.NotErrorIs(t, err, queue.ErrFull, "retrying would never end")
	c := subscribe(t, q, topic, groups[0])
	receiveNothing(t, c)
}
