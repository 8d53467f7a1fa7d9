package kafka

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// kib returns a message of key k with a body of 1 KiB starting with name.
func kib(name string) queue.Message {
	body := make([]byte, 1<<10)
	copy(body, name)
	return queue.Message{Key: "k", Body: body}
}

// fill publishes until the topic is full and returns how many were accepted.
func fill(t *testing.T, q *Queue, topic string) int {
	t.Helper()
	ctx := timeout(t)
	for i := 0; ; i++ {
		require.Less(t, i, 64, "Publish never returned ErrFull")
		if err := q.Publish(ctx, topic, kib(fmt.Sprintf("m-%d", i))); err != nil {
			require.ErrorIs(t, err, queue.ErrFull)
			return i
		}
	}
}

// publishEventually retries while the topic is full.
func publishEventually(t *testing.T, q *Queue, topic string, m queue.Message) {
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
			require.FailNow(t, "topic still full", "%v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestFullFollowsTheSlowestGroup has one of two groups consume: the topic stays full until
// the other, which has no consumer at all, catches up.
func TestFullFollowsTheSlowestGroup(t *testing.T) {
	cfg := testConfig(newCluster(t))
	cfg.MaxLagBytes = 8 << 10
	reg := prometheus.NewPedanticRegistry()
	q, err := New(cfg, testLogger(), reg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() })
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "events", "indexer", "archiver"))

	accepted := fill(t, q, "events")
	require.Equal(t, 8, accepted, "8 KiB of 1 KiB bodies")
	ackAll(t, receive(t, subscribe(t, q, "events", "indexer"), accepted)...)
	awaitCommittedGroup(t, q, "events", "indexer")
	err = q.Publish(ctx, "events", kib("still"))
	require.ErrorIs(t, err, queue.ErrFull, "the archiver has not read anything")
	require.Equal(t, float64(accepted), testutil.ToFloat64(q.metrics.lagRecords.WithLabelValues("events", "archiver")))
	require.Zero(t, testutil.ToFloat64(q.metrics.lagRecords.WithLabelValues("events", "indexer")))
	require.Equal(t, float64(2), testutil.ToFloat64(q.metrics.refusedFull.WithLabelValues("events")))

	archiver := subscribe(t, q, "events", "archiver")
	ackAll(t, receive(t, archiver, accepted)...)
	publishEventually(t, q, "events", kib("next"))
	require.Equal(t, "next", string(receive(t, archiver, 1)[0].Body[:4]))
	problems, err := testutil.GatherAndLint(reg)
	require.NoError(t, err)
	require.Empty(t, problems, "metric names and help pass promlint")
}

// awaitCommittedGroup waits until the group committed every partition to its end.
func awaitCommittedGroup(t *testing.T, q *Queue, topic, group string) {
	t.Helper()
	parts := make([]int32, q.cfg.Partitions)
	for i := range parts {
		parts[i] = int32(i)
	}
	awaitCommitted(t, q, topic, group, parts)
}

func TestTooLarge(t *testing.T) {
	cluster := newCluster(t)
	cfg := testConfig(cluster)
	cfg.MaxMessageBytes = 4 << 10
	q := newQueue(t, cfg)
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))

	tests := []struct {
		name string
		msgs []queue.Message
	}{
		{"body over max_message_bytes", []queue.Message{{Key: "k", Body: make([]byte, 4<<10)}}},
		{"key and body over it", []queue.Message{{Key: "kk", Body: make([]byte, 4<<10-1)}}},
		{"one of several", []queue.Message{kib("a"), {Key: "k", Body: make([]byte, 5<<10)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := q.Publish(ctx, "raw", tc.msgs...)
			require.ErrorIs(t, err, queue.ErrTooLarge)
			require.NotErrorIs(t, err, queue.ErrFull)
		})
	}
	require.NoError(t, q.Publish(ctx, "raw", queue.Message{Key: "k", Body: make([]byte, 4<<10-1)}), "at the limit")
}

// TestBrokerLimit publishes to a topic created elsewhere with a smaller max.message.bytes:
// the broker's refusal is ErrTooLarge too.
func TestBrokerLimit(t *testing.T) {
	cluster := newCluster(t)
	q := newQueue(t, testConfig(cluster))
	ctx := timeout(t)
	small := "2048"
	_, err := q.adm.CreateTopic(ctx, 1, 1, map[string]*string{"max.message.bytes": &small}, "trolly.raw")
	require.NoError(t, err)
	require.NoError(t, q.Declare(ctx, "raw", "processor"), "an existing topic is kept as it is")
	body := make([]byte, 8<<10)
	_, _ = rand.Read(body) // incompressible
	err = q.Publish(ctx, "raw", queue.Message{Key: "k", Body: body})
	require.ErrorIs(t, err, queue.ErrTooLarge)
	require.Equal(t, float64(1), testutil.ToFloat64(q.metrics.produceErrors.WithLabelValues("raw")))
}

func TestCreateTopicsOff(t *testing.T) {
	cluster := newCluster(t)
	cfg := testConfig(cluster)
	off := false
	cfg.CreateTopics = &off
	q := newQueue(t, cfg)
	ctx := timeout(t)
	require.ErrorIs(t, q.Declare(ctx, "raw", "processor"), queue.ErrUnknownTopic)
	dls, err := q.DeadLetters(ctx, 1)
	require.NoError(t, err, "no dead-letter topic: no letters")
	require.Empty(t, dls)

	_, err = q.adm.CreateTopic(ctx, 2, 1, nil, "trolly.raw")
	require.NoError(t, err)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))
	require.NoError(t, q.Publish(ctx, "raw", kib("m")))
	require.Equal(t, "m", string(receive(t, subscribe(t, q, "raw", "processor"), 1)[0].Body[:1]))
}

func TestCloseEndsEverything(t *testing.T) {
	q := newQueue(t, testConfig(newCluster(t)))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))
	require.NoError(t, q.Publish(ctx, "raw", kib("m")))
	c := subscribe(t, q, "raw", "processor")
	d := receive(t, c, 1)[0]
	require.NoError(t, q.Close())
	require.NoError(t, q.Close(), "twice")
	require.ErrorIs(t, d.Ack(), queue.ErrClosed)
	require.ErrorIs(t, q.Declare(ctx, "raw"), queue.ErrClosed)
	_, err := q.Subscribe(ctx, "raw", "processor")
	require.ErrorIs(t, err, queue.ErrClosed)
	_, err = q.DeadLetters(ctx, 1)
	require.ErrorIs(t, err, queue.ErrClosed)
	_, err = c.Receive(context.Background(), 1)
	require.ErrorIs(t, err, queue.ErrClosed)
}
