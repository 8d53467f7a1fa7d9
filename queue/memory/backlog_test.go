package memory_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
)

// The backlog counts every topic's bodies until every group acknowledged them; its budget
// does not bound Publish, which only max_bytes does.
func TestBacklog(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	q := newQueue(t, memory.Config{MaxBytes: 100, MaxBacklogBytes: 50}, reg, "raw", "p")
	require.NoError(t, q.Declare(t.Context(), "events", "i", "a"))
	ctx := t.Context()
	require.NoError(t, q.Publish(ctx, "raw", sized(30)))
	require.NoError(t, q.Publish(ctx, "events", sized(40)), "past the budget, within max_bytes")
	require.Equal(t, queue.Backlog{Bytes: 70, Budget: 50}, q.Backlog())
	require.True(t, q.Backlog().Over(0))
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP trolly_queue_backlog_bytes Bytes of message bodies held until every group acknowledged them, all topics together.
# TYPE trolly_queue_backlog_bytes gauge
trolly_queue_backlog_bytes 70
# HELP trolly_queue_backlog_budget_bytes max_backlog_bytes: past it the gateway refuses input with 503.
# TYPE trolly_queue_backlog_budget_bytes gauge
trolly_queue_backlog_budget_bytes 50
`), "trolly_queue_backlog_bytes", "trolly_queue_backlog_budget_bytes"))

	acks := func(topic, group string) {
		for _, d := range receive(t, subscribe(t, q, topic, group), 1) {
			require.NoError(t, d.Ack())
		}
	}
	acks("raw", "p")
	acks("events", "i")
	require.Equal(t, queue.Backlog{Bytes: 40, Budget: 50}, q.Backlog(), "the archiver group still holds the event")
	require.False(t, q.Backlog().Over(10))
	require.True(t, q.Backlog().Over(11))
	acks("events", "a")
	require.Equal(t, int64(0), q.Backlog().Bytes)
}
