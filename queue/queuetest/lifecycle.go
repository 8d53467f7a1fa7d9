package queuetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// receiveAsync starts a Receive of one delivery and returns where its error arrives. Its
// context outlives await's bound, so a Receive that is never woken fails as a timeout.
func receiveAsync(t *testing.T, c queue.Consumer) <-chan error {
	ctx, cancel := context.WithTimeout(t.Context(), 2*wait)
	t.Cleanup(cancel)
	return receiveBlocked(ctx, c)
}

// receiveBlocked starts a Receive of one delivery and gives it time to block, so that
// what the caller does next has to wake it. A correct backend passes however the goroutines
// are scheduled; a backend that never wakes the call fails unless it was very slow to start.
func receiveBlocked(ctx context.Context, c queue.Consumer) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Receive(ctx, 1)
		done <- err
	}()
	select {
	case err := <-done:
		done <- err
	case <-time.After(quiet):
	}
	return done
}

func testClose(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])
	done := receiveAsync(t, c)

	require.NoError(t, q.Close())
	require.ErrorIs(t, await(t, done, "blocked Receive to return on Close"), queue.ErrClosed)
	ctx := timeout(t)
	require.ErrorIs(t, q.Publish(ctx, topic, messages("k", "m", 0, 1)...), queue.ErrClosed)
	_, err := c.Receive(ctx, 1)
	require.ErrorIs(t, err, queue.ErrClosed)
}

func sealer(t *testing.T, q queue.Queue) queue.Sealer {
	t.Helper()
	s, ok := q.(queue.Sealer)
	if !ok {
		t.Skip("the backend does not implement queue.Sealer")
	}
	return s
}

func testSeal(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	s := sealer(t, q)
	topic, groups := declare(t, q, 2)
	msgs := messages("k", "m", 0, 3)
	publish(t, q, topic, msgs...)
	s.Seal(topic)
	ctx := timeout(t)
	require.ErrorIs(t, q.Publish(ctx, topic, messages("k", "late", 0, 1)...), queue.ErrClosed)

	c := subscribe(t, q, topic, groups[0])
	got := receive(t, c, len(msgs))
	require.Equal(t, messageBodies(msgs), bodies(got))
	require.NoError(t, got[2].Nack(errRetry))
	back := receive(t, c, 1)[0] // nacked after the seal, it still comes back
	require.Equal(t, string(got[2].Body), string(back.Body))
	ack(t, got[0], got[1])

	// One delivery in flight: not drained yet, so no ErrClosed for anyone.
	c2 := subscribe(t, q, topic, groups[0])
	receiveNothing(t, c2)
	done := receiveAsync(t, c2)
	ack(t, back)
	require.ErrorIs(t, await(t, done, "Receive to return once the group is drained"), queue.ErrClosed)
	_, err := c.Receive(ctx, 1)
	require.ErrorIs(t, err, queue.ErrClosed)

	// The other group still receives everything published before the seal.
	c3 := subscribe(t, q, topic, groups[1])
	require.Equal(t, messageBodies(msgs), bodies(receiveAck(t, c3, len(msgs))))
	_, err = c3.Receive(ctx, 1)
	require.ErrorIs(t, err, queue.ErrClosed)
}

func testSealWakesReceive(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	s := sealer(t, q)
	topic, groups := declare(t, q, 1)
	c := subscribe(t, q, topic, groups[0])
	done := receiveAsync(t, c)
	s.Seal(topic)
	require.ErrorIs(t, await(t, done, "blocked Receive to return on Seal"), queue.ErrClosed)
}

// testSealTellsHolder checks that a consumer holding deliveries is told the topic is drained
// as soon as nothing else can come to it, while another consumer of the group waits for
// those deliveries to be settled.
func testSealTellsHolder(t *testing.T, newQueue NewQueue) {
	q := open(t, newQueue, 0)
	s := sealer(t, q)
	topic, groups := declare(t, q, 1)
	msgs := messages("k", "m", 0, 3)
	publish(t, q, topic, msgs...)
	s.Seal(topic)
	holder := subscribe(t, q, topic, groups[0])
	held := receive(t, holder, len(msgs))
	other := subscribe(t, q, topic, groups[0])
	done := receiveAsync(t, other)

	ctx := timeout(t)
	_, err := holder.Receive(ctx, 1)
	require.ErrorIs(t, err, queue.ErrClosed, "the holder must settle what it holds, nothing else can come")
	select {
	case err := <-done:
		require.FailNow(t, "another consumer was told the group is drained while deliveries are held", "%v", err)
	default:
	}
	ack(t, held...)
	require.ErrorIs(t, await(t, done, "Receive to return once the holder settled"), queue.ErrClosed)
}
