package nats_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
)

// TestBacklog checks that the backlog counts what a group has not acknowledged yet, against
// max_backlog_bytes, and empties once every group acknowledged it.
func TestBacklog(t *testing.T) {
	const n, size = 10, 1 << 10
	cfg := embeddedConfig(t)
	cfg.MaxBacklogBytes = 4 * n * size
	q := open(t, cfg)
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	require.Equal(t, queue.Backlog{Budget: 4 * n * size}, q.Backlog())

	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Key: "tenant/stream", Body: noise(size)}
	}
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, msgs...))
	awaitBacklog(t, q, func(b queue.Backlog) bool { return b.Bytes >= n*size }, "the published bodies")
	require.False(t, q.Backlog().Over(0))
	require.True(t, q.Backlog().Over(4*n*size))

	c, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	require.NoError(t, err)
	receiveAck(t, c, n)
	time.Sleep(3 * time.Second) // two refreshes: the archiver still holds everything
	require.GreaterOrEqual(t, q.Backlog().Bytes, int64(n*size), "kept for the group that did not acknowledge")

	c, err = q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	require.NoError(t, err)
	receiveAck(t, c, n)
	awaitBacklog(t, q, func(b queue.Backlog) bool { return b.Bytes == 0 }, "an empty backlog")
}

// awaitBacklog polls q's backlog until ok holds, for a bounded time.
func awaitBacklog(t *testing.T, q interface{ Backlog() queue.Backlog }, ok func(queue.Backlog) bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(waitFor); !ok(q.Backlog()); time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "waiting for %s: backlog %+v", what, q.Backlog())
	}
}
