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

// Each tenant's share of the backlog counts the bodies of its keys, every topic together,
// until every group acknowledged them; another tenant's bodies never count against it, and
// a tenant whose bodies a group holds does not hold back the share of one it acknowledged.
func TestTenantBacklog(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	q := newQueue(t, memory.Config{MaxBytes: 1000, MaxBacklogBytes: 500, MaxTenantBacklogBytes: 100}, reg, "raw", "p")
	require.NoError(t, q.Declare(t.Context(), "events", "i", "a"))
	ctx := t.Context()
	of := func(key string, n int) queue.Message { return queue.Message{Key: key, Body: make([]byte, n)} }
	require.NoError(t, q.Publish(ctx, "raw", of("a/web", 30), of("b/web", 5)))
	require.NoError(t, q.Publish(ctx, "events", of("a/app", 40), of("b/web", 7)))
	require.NoError(t, q.Publish(ctx, "raw", of("a", 1)), "a key without a stream is its tenant's")
	require.Equal(t, queue.Backlog{Bytes: 71, Budget: 100}, q.TenantBacklog("a"))
	require.Equal(t, queue.Backlog{Bytes: 12, Budget: 100}, q.TenantBacklog("b"))
	require.Equal(t, queue.Backlog{Budget: 100}, q.TenantBacklog("a/web"), "budgets are by tenant, not by key")
	require.Equal(t, int64(83), q.Backlog().Bytes, "the tenants' shares make the whole")
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP trolly_queue_tenant_backlog_bytes Bytes of a tenant's messages that some group has not acknowledged yet, all topics together.
# TYPE trolly_queue_tenant_backlog_bytes gauge
trolly_queue_tenant_backlog_bytes{tenant="a"} 71
trolly_queue_tenant_backlog_bytes{tenant="b"} 12
# HELP trolly_queue_tenant_backlog_budget_bytes max_tenant_backlog_bytes: past it the gateway refuses the tenant's input with 429.
# TYPE trolly_queue_tenant_backlog_budget_bytes gauge
trolly_queue_tenant_backlog_budget_bytes 100
`), "trolly_queue_tenant_backlog_bytes", "trolly_queue_tenant_backlog_budget_bytes"))

	// The indexer takes every event and settles b's, holding a's (its store fails for a).
	for _, d := range receive(t, subscribe(t, q, "events", "i"), 2) {
		if queue.TenantOf(d.Key) == "b" {
			require.NoError(t, d.Ack())
		}
	}
	for _, d := range receive(t, subscribe(t, q, "events", "a"), 2) {
		require.NoError(t, d.Ack())
	}
	for _, d := range receive(t, subscribe(t, q, "raw", "p"), 3) {
		require.NoError(t, d.Ack())
	}
	require.Equal(t, int64(40), q.TenantBacklog("a").Bytes, "the event the indexer holds")
	require.Zero(t, q.TenantBacklog("b").Bytes, "b is not held back by a's event before it")
	require.Equal(t, 1, testutil.CollectAndCount(reg, "trolly_queue_tenant_backlog_bytes"), "a tenant without backlog has no series")
}
