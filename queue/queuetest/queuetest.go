package queuetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

const (
	// wait bounds every wait for something that must happen, so that a lost message fails
	// the test instead of hanging it. Generous: real brokers run on loaded machines.
	wait = 20 * time.Second
	// quiet is how long a Receive runs when nothing may arrive.
	quiet = 200 * time.Millisecond
)

// NewQueue returns a fresh, empty queue whose topics hold at most maxBytes of message
// bodies (0: the backend's default).
type NewQueue func(t *testing.T, maxBytes int64) queue.Queue

// Run runs the conformance suite; newQueue returns a fresh, empty queue whose topics
// hold at most maxBytes of message bodies (0: the backend's default). The suite closes
// every queue it gets, some of them before the test ends, so Close must tolerate a second
// call from newQueue's own cleanup, if any.
func Run(t *testing.T, newQueue func(t *testing.T, maxBytes int64) queue.Queue) {
	tests := []struct {
		name string
		run  func(t *testing.T, newQueue NewQueue)
	}{
		{"PublishConsume", testPublishConsume},
		{"DeclareAgain", testDeclareAgain},
		{"FanOut", testFanOut},
		{"OrderPerKey", testOrderPerKey},
		{"RedeliverAfterNack", testRedeliverAfterNack},
		{"RedeliverAfterClose", testRedeliverAfterClose},
		{"AtLeastOnceConcurrent", testAtLeastOnceConcurrent},
		{"ConsumersShareWork", testConsumersShareWork},
		{"Full", testFull},
		{"FullCall", testFullCall},
		{"TooLarge", testTooLarge},
		{"Reject", testReject},
		{"RejectAfterRedelivery", testRejectAfterRedelivery},
		{"ReceiveContext", testReceiveContext},
		{"ReceiveMax", testReceiveMax},
		{"UnknownTopic", testUnknownTopic},
		{"Close", testClose},
		{"Seal", testSeal},
		{"SealWakesReceive", testSealWakesReceive},
		{"SealTellsHolder", testSealTellsHolder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newQueue) })
	}
}

// open returns a fresh queue, closed when the test ends.
func open(t *testing.T, newQueue NewQueue, maxBytes int64) queue.Queue {
	t.Helper()
	q := newQueue(t, maxBytes)
	require.NotNil(t, q, "newQueue returned nil")
	t.Cleanup(func() { _ = q.Close() })
	return q
}

// unique returns a name no other test, nor an earlier run against the same broker, uses.
func unique(prefix string) string {
	return prefix + "-" + strings.ToLower(rand.Text()[:12])
}

// declare declares a fresh topic with n fresh groups.
func declare(t *testing.T, q queue.Queue, n int) (string, []string) {
	t.Helper()
	topic := unique("topic")
	groups := make([]string, n)
	for i := range groups {
		groups[i] = unique(fmt.Sprintf("group%d", i))
	}
	require.NoError(t, q.Declare(timeout(t), topic, groups...))
	return topic, groups
}

// timeout returns a context that ends after wait, or with the test.
func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	t.Cleanup(cancel)
	return ctx
}

func subscribe(t *testing.T, q queue.Queue, topic, group string) queue.Consumer {
	t.Helper()
	c, err := q.Subscribe(timeout(t), topic, group)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func publish(t *testing.T, q queue.Queue, topic string, msgs ...queue.Message) {
	t.Helper()
	require.NoError(t, q.Publish(timeout(t), topic, msgs...))
}

// messages returns n messages of key whose bodies are "<prefix>-<i>", i from first.
func messages(key, prefix string, first, n int) []queue.Message {
	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Key: key, Body: fmt.Appendf(nil, "%s-%04d", prefix, first+i)}
	}
	return msgs
}

// receive returns exactly n deliveries of c, never asking for more than it still needs.
func receive(t *testing.T, c queue.Consumer, n int) []*queue.Delivery {
	t.Helper()
	ctx := timeout(t)
	var got []*queue.Delivery
	for len(got) < n {
		ds, err := c.Receive(ctx, n-len(got))
		require.NoError(t, err, "receiving message %d of %d", len(got)+1, n)
		require.NotEmpty(t, ds, "Receive returned neither a delivery nor an error")
		require.LessOrEqual(t, len(ds), n-len(got), "Receive returned more than max")
		got = append(got, ds...)
	}
	return got
}

// receiveAck receives exactly n deliveries and acknowledges each batch as it comes, so that
// backends with a prefetch window keep delivering.
func receiveAck(t *testing.T, c queue.Consumer, n int) []*queue.Delivery {
	t.Helper()
	ctx := timeout(t)
	var got []*queue.Delivery
	for len(got) < n {
		ds, err := c.Receive(ctx, n-len(got))
		require.NoError(t, err, "receiving message %d of %d", len(got)+1, n)
		require.NotEmpty(t, ds, "Receive returned neither a delivery nor an error")
		require.LessOrEqual(t, len(ds), n-len(got), "Receive returned more than max")
		ack(t, ds...)
		got = append(got, ds...)
	}
	return got
}

// receiveNothing checks that c gets nothing for a while.
func receiveNothing(t *testing.T, c queue.Consumer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), quiet)
	defer cancel()
	ds, err := c.Receive(ctx, 10)
	require.ErrorIs(t, err, context.DeadlineExceeded, "received %q", bodies(ds))
	require.Empty(t, ds)
}

func ack(t *testing.T, ds ...*queue.Delivery) {
	t.Helper()
	for _, d := range ds {
		require.NoError(t, d.Ack())
	}
}

func bodies(ds []*queue.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d.Body)
	}
	return out
}

func messageBodies(msgs []queue.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = string(m.Body)
	}
	return out
}

// await returns the result that done delivers, or fails after wait.
func await[T any](t *testing.T, done <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-done:
		return v
	case <-time.After(wait):
	}
	require.FailNow(t, "timed out", "waiting for %s", what)
	var zero T
	return zero
}
