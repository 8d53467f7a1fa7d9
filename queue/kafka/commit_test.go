package kafka

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// TestCommitFollowsAcks acknowledges out of order and closes: the group's commit stops at
// the oldest unacknowledged record, and everything from there comes again, to a consumer
// of the same Queue with a higher attempt, to another process's with attempt 1.
func TestCommitFollowsAcks(t *testing.T) {
	cluster := newCluster(t)
	q := newQueue(t, testConfig(cluster))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, "raw", "processor"))
	var msgs []queue.Message
	for i := range 5 {
		msgs = append(msgs, queue.Message{Key: "acme/web", Body: fmt.Appendf(nil, "m-%d", i)}) // one partition
	}
	require.NoError(t, q.Publish(ctx, "raw", msgs...))

	c1 := subscribe(t, q, "raw", "processor")
	got := receive(t, c1, 5)
	require.Equal(t, []string{"m-0", "m-1", "m-2", "m-3", "m-4"}, bodies(got))
	ackAll(t, got[3], got[1], got[0]) // m-2 is still out
	require.NoError(t, c1.Close())

	committed, ends := committedOffsets(t, q, "raw", "processor"), endOffsets(t, q, "raw")
	for p, end := range ends {
		if end > 0 {
			require.Equal(t, int64(5), end)
			require.Equal(t, int64(2), committed[p], "committed up to the oldest unacknowledged record, m-2")
		}
	}

	t.Run("same process", func(t *testing.T) {
		c2 := subscribe(t, q, "raw", "processor")
		again := receive(t, c2, 3)
		require.Equal(t, []string{"m-2", "m-3", "m-4"}, bodies(again), "m-3 was acknowledged past the gap")
		for _, d := range again {
			require.Equal(t, 2, d.Attempt, "%s", d.Body)
		}
		require.NoError(t, c2.Close()) // without acking: all three come again
	})
	t.Run("another process", func(t *testing.T) {
		other := newQueue(t, testConfig(cluster)) // Subscribe needs no Declare there
		c3 := subscribe(t, other, "raw", "processor")
		again := receive(t, c3, 3)
		require.Equal(t, []string{"m-2", "m-3", "m-4"}, bodies(again))
		for _, d := range again {
			require.Equal(t, 1, d.Attempt, "Kafka keeps no delivery count across processes")
		}
		ackAll(t, again...)
	})
}
