package nats_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/nats"
)

// of returns n messages of key with bodies of size bytes.
func of(key string, n, size int) []queue.Message {
	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Key: key, Body: noise(size)}
	}
	return msgs
}

// awaitTenant polls tenant's share of q's backlog until it is want bytes, for a bounded time.
func awaitTenant(t *testing.T, q *nats.Queue, tenant string, want int64, what string) {
	t.Helper()
	for deadline := time.Now().Add(waitFor); q.TenantBacklog(tenant).Bytes != want; time.Sleep(50 * time.Millisecond) {
		require.True(t, time.Now().Before(deadline), "waiting for %s: tenant %s holds %d bytes, want %d", what, tenant, q.TenantBacklog(tenant).Bytes, want)
	}
}

// A tenant's share counts the bodies of its keys on every declared topic until every group
// acknowledged them, against max_tenant_backlog_bytes.
func TestTenantBacklog(t *testing.T) {
	cfg := embeddedConfig(t)
	cfg.MaxBacklogBytes, cfg.MaxTenantBacklogBytes = 1<<20, 1<<16
	q := open(t, cfg)
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	require.Equal(t, queue.Backlog{Budget: 1 << 16}, q.TenantBacklog("a"))

	require.NoError(t, q.Publish(ctx, queue.TopicRaw, of("a/web", 3, 100)...))
	require.NoError(t, q.Publish(ctx, queue.TopicRaw, of("b/web", 2, 10)...))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("a/app", 1, 1000)...))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("a", 1, 1)...), "a key without a stream is its tenant's")
	awaitTenant(t, q, "a", 1301, "a's messages on both topics")
	awaitTenant(t, q, "b", 20, "b's")
	require.Zero(t, q.TenantBacklog("a/web").Bytes, "budgets are by tenant, not by key")

	c, err := q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	receiveAck(t, c, 5)
	awaitTenant(t, q, "a", 1001, "the raw messages acknowledged")
	awaitTenant(t, q, "b", 0, "b's raw messages acknowledged")
	c, err = q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	require.NoError(t, err)
	receiveAck(t, c, 2)
	time.Sleep(3 * backlogRefresh) // the archiver has not acknowledged them
	require.Equal(t, int64(1001), q.TenantBacklog("a").Bytes, "kept for the group that did not acknowledge")
	c, err = q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	require.NoError(t, err)
	receiveAck(t, c, 2)
	awaitTenant(t, q, "a", 0, "every group acknowledged")
}

// backlogRefresh is the backend's: how often the floors are read.
const backlogRefresh = time.Second

// Tenant A's messages never count against B: not A's bodies, and not A's messages that a
// group holds (its store fails for A) in front of B's that every group acknowledged.
func TestTenantBacklogWall(t *testing.T) {
	q := open(t, embeddedConfig(t))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("a/web", 4, 500)...))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("b/web", 4, 50)...))
	awaitTenant(t, q, "a", 2000, "a's")
	awaitTenant(t, q, "b", 200, "b's")

	ix, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupIndexer)
	require.NoError(t, err)
	var held []*queue.Delivery
	for got := 0; got < 8; {
		ds, err := ix.Receive(ctx, 8-got)
		require.NoError(t, err)
		got += len(ds)
		for _, d := range ds {
			if queue.TenantOf(d.Key) == "b" {
				require.NoError(t, d.Ack())
			} else {
				held = append(held, d)
			}
		}
	}
	receiveAck(t, subscribe(t, q, queue.TopicEvents, queue.GroupArchiver), 8)
	awaitTenant(t, q, "b", 0, "b's messages acknowledged by every group, behind a's")
	require.Equal(t, int64(2000), q.TenantBacklog("a").Bytes, "a's held by the indexer")
	time.Sleep(3 * backlogRefresh) // the floors stay at a's first message
	require.Zero(t, q.TenantBacklog("b").Bytes)
	for _, d := range held {
		require.NoError(t, d.Ack())
	}
	awaitTenant(t, q, "a", 0, "a's acknowledged")
}

func subscribe(t *testing.T, q queue.Queue, topic, group string) queue.Consumer {
	t.Helper()
	c, err := q.Subscribe(timeout(t), topic, group)
	require.NoError(t, err)
	return c
}

// Another process's publishes and acknowledgements count: two queues on one server.
func TestTenantBacklogAcrossProcesses(t *testing.T) {
	cfg := serverConfig(t)
	gateway, other := open(t, cfg), open(t, cfg)
	ctx := timeout(t)
	for _, q := range []*nats.Queue{gateway, other} {
		require.NoError(t, q.Declare(ctx, queue.TopicRaw, queue.GroupProcessor))
	}
	require.Zero(t, gateway.TenantBacklog("a").Bytes)
	require.NoError(t, other.Publish(ctx, queue.TopicRaw, of("a/web", 5, 200)...))
	awaitTenant(t, gateway, "a", 1000, "what the other process published")
	receiveAck(t, subscribe(t, other, queue.TopicRaw, queue.GroupProcessor), 5)
	awaitTenant(t, gateway, "a", 0, "what the other process acknowledged")
}

// After a restart on the same store, the shares are what the disk still holds.
func TestTenantBacklogAfterRestart(t *testing.T) {
	cfg := embeddedConfig(t)
	q, err := nats.New(cfg, nats.Options{})
	require.NoError(t, err)
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("a/web", 3, 300)...))
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("b/web", 2, 20)...))
	receiveAck(t, subscribe(t, q, queue.TopicEvents, queue.GroupIndexer), 5)
	receiveAck(t, subscribe(t, q, queue.TopicEvents, queue.GroupArchiver), 1) // a's first
	require.NoError(t, q.Close())

	q = open(t, cfg)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	awaitTenant(t, q, "a", 600, "a's messages the archiver has not acknowledged")
	awaitTenant(t, q, "b", 40, "b's")
	receiveAck(t, subscribe(t, q, queue.TopicEvents, queue.GroupArchiver), 4)
	awaitTenant(t, q, "a", 0, "a's acknowledged after the restart")
	awaitTenant(t, q, "b", 0, "b's")
}

// Past the messages followed one by one, a tenant's further messages are summed, and
// settled once every group's ack floor passed the last of them.
func TestTenantBacklogPastTheTrackedLimit(t *testing.T) {
	nats.SetTrackedLimit(t, 4)
	q := open(t, embeddedConfig(t))
	ctx := timeout(t)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer, queue.GroupArchiver))
	q.TenantBacklog("a") // starts following
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, of("a/web", 10, 100)...))
	awaitTenant(t, q, "a", 1000, "every message, four of them one by one")
	require.Equal(t, 4, q.Tracked(queue.TopicEvents))

	receiveAck(t, subscribe(t, q, queue.TopicEvents, queue.GroupIndexer), 10)
	archiver := subscribe(t, q, queue.TopicEvents, queue.GroupArchiver)
	receiveAck(t, archiver, 4)
	awaitTenant(t, q, "a", 600, "the four followed one by one settled")
	time.Sleep(3 * backlogRefresh)
	require.Equal(t, int64(600), q.TenantBacklog("a").Bytes, "the others wait for the archiver's floor")
	receiveAck(t, archiver, 6)
	awaitTenant(t, q, "a", 0, "the floor past the last")
}
