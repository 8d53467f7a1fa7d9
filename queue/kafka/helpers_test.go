package kafka

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/trolly-logs/trolly/queue"
)

// wait bounds every wait for something that must happen.
const wait = 20 * time.Second

// newCluster starts an in-process kfake cluster, closed when the test ends.
func newCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// testConfig points at c with timings shortened for tests: the defaults suit a real
// cluster, where a rebalance every few seconds is no concern.
func testConfig(c *kfake.Cluster) Config {
	return Config{
		Brokers:           c.ListenAddrs(),
		Partitions:        8,
		CommitInterval:    50 * time.Millisecond,
		FetchMaxWait:      100 * time.Millisecond,
		HeartbeatInterval: 100 * time.Millisecond,
	}
}

// testLogger is silent unless TROLLY_TEST_LOG is set, for debugging a failing test.
func testLogger() *slog.Logger {
	if os.Getenv("TROLLY_TEST_LOG") == "" {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newQueue(t testing.TB, cfg Config) *Queue {
	t.Helper()
	q, err := New(cfg, testLogger(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() })
	return q
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

func subscribe(t testing.TB, q *Queue, topic, group string) queue.Consumer {
	t.Helper()
	c, err := q.Subscribe(timeout(t), topic, group)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// receive returns exactly n deliveries of c.
func receive(t testing.TB, c queue.Consumer, n int) []*queue.Delivery {
	t.Helper()
	ctx := timeout(t)
	var got []*queue.Delivery
	for len(got) < n {
		ds, err := c.Receive(ctx, n-len(got))
		require.NoError(t, err, "receiving message %d of %d", len(got)+1, n)
		got = append(got, ds...)
	}
	return got
}

func ackAll(t testing.TB, ds ...*queue.Delivery) {
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

// awaitAssignment waits until the kafka group of topic/group is stable with n members that
// share every partition of the topic, and returns each member's partitions by member id.
func awaitAssignment(t testing.TB, q *Queue, topic, group string, n int) map[string][]int32 {
	t.Helper()
	ctx := timeout(t)
	for {
		if got := assignment(t, q, topic, group); len(got) == n {
			total, empty := 0, false
			for _, ps := range got {
				total += len(ps)
				empty = empty || len(ps) == 0
			}
			if !empty && total == q.cfg.Partitions {
				return got
			}
		}
		select {
		case <-ctx.Done():
			require.FailNow(t, "group never settled", "%d members of %s/%s", n, topic, group)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// assignment describes the stable assignment of a group, nil while it rebalances.
func assignment(t testing.TB, q *Queue, topic, group string) map[string][]int32 {
	t.Helper()
	kgroup := q.kgroup(topic, group)
	described, err := q.adm.DescribeGroups(timeout(t), kgroup)
	require.NoError(t, err)
	g := described[kgroup]
	if g.Err != nil || g.State != "Stable" {
		return nil
	}
	out := map[string][]int32{}
	for _, m := range g.Members {
		out[m.MemberID] = nil
		if a, ok := m.Assigned.AsConsumer(); ok {
			for _, tp := range a.Topics {
				if tp.Topic == q.ktopic(topic) {
					out[m.MemberID] = append(out[m.MemberID], tp.Partitions...)
				}
			}
		}
	}
	return out
}

// committedOffsets returns the offsets the group committed, per partition.
func committedOffsets(t testing.TB, q *Queue, topic, group string) map[int32]int64 {
	t.Helper()
	resps, err := q.committed(timeout(t), q.kgroup(topic, group), q.ktopic(topic))
	require.NoError(t, err)
	out := map[int32]int64{}
	for _, ps := range resps {
		for p, o := range ps {
			out[p] = o.At
		}
	}
	return out
}

// endOffsets returns the end offset of every partition of topic.
func endOffsets(t testing.TB, q *Queue, topic string) map[int32]int64 {
	t.Helper()
	ends, err := q.adm.ListEndOffsets(timeout(t), q.ktopic(topic))
	require.NoError(t, err)
	out := map[int32]int64{}
	for _, ps := range ends {
		for p, o := range ps {
			out[p] = o.Offset
		}
	}
	return out
}

// awaitCommitted waits until the group committed the end offset of each partition in parts.
func awaitCommitted(t testing.TB, q *Queue, topic, group string, parts []int32) {
	t.Helper()
	ctx := timeout(t)
	ends := endOffsets(t, q, topic)
	for {
		committed := committedOffsets(t, q, topic, group)
		done := true
		for _, p := range parts {
			done = done && committed[p] == ends[p]
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			require.FailNow(t, "offsets never committed", "partitions %v: committed %v, ends %v", parts, committed, ends)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// shortContext ends soon, for a Receive that must get nothing.
func shortContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}
