package memory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// waitFor bounds every wait in these tests; quiet is how long "nothing arrives" is watched.
const (
	waitFor = 10 * time.Second
	quiet   = 100 * time.Millisecond
)

func newQueue(t *testing.T, cfg memory.Config, reg prometheus.Registerer, topic string, groups ...string) *memory.Queue {
	t.Helper()
	q, err := memory.New(cfg, reg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Declare(t.Context(), topic, groups...))
	return q
}

func subscribe(t *testing.T, q queue.Queue, topic, group string) queue.Consumer {
	t.Helper()
	c, err := q.Subscribe(t.Context(), topic, group)
	require.NoError(t, err)
	return c
}

// keyed returns n messages of key with bodies "<key>-<i>".
func keyed(key string, n int) []queue.Message {
	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Key: key, Body: fmt.Appendf(nil, "%s-%d", key, i)}
	}
	return msgs
}

func sized(n int) queue.Message {
	return queue.Message{Key: "k", Body: make([]byte, n)}
}

// receive returns exactly n deliveries, asking each time for what is still missing.
func receive(t *testing.T, c queue.Consumer, n int) []*queue.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitFor)
	defer cancel()
	var got []*queue.Delivery
	for len(got) < n {
		ds, err := c.Receive(ctx, n-len(got))
		require.NoError(t, err)
		got = append(got, ds...)
	}
	return got
}

func receiveNothing(t *testing.T, c queue.Consumer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), quiet)
	defer cancel()
	ds, err := c.Receive(ctx, 10)
	require.ErrorIs(t, err, context.DeadlineExceeded, "received %q", bodies(ds))
}

func bodies(ds []*queue.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = string(d.Body)
	}
	return out
}

func attempts(ds []*queue.Delivery) []int {
	out := make([]int, len(ds))
	for i, d := range ds {
		out[i] = d.Attempt
	}
	return out
}

func ack(t *testing.T, ds ...*queue.Delivery) {
	t.Helper()
	for _, d := range ds {
		require.NoError(t, d.Ack())
	}
}
