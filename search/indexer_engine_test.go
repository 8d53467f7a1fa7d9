package search_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/internal/sink"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/search/vlogs"
	"github.com/trolly-logs/trolly/tenant"
)

// The data path from the events topic to a search, as "trolly all" wires it.
func TestIndexerIntoEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	defer q.Close()
	backend := openEngine(t, func(context.Context, string) (int, error) { return 7, nil })
	dir, err := tenant.NewStatic([]tenant.Config{{ID: "acme"}})
	require.NoError(t, err)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer))

	ts := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	body, err := proto.Marshal(&trollyv1.EventBatch{TenantId: "acme", Events: []*trollyv1.Event{
		{Id: "e1", TimestampUnixNano: ts.UnixNano(), Source: []byte(`{"message":"Failed password for root","user":{"name":"root"}}`)},
		{Id: "e2", TimestampUnixNano: ts.Add(time.Hour).UnixNano(), Source: []byte(`{"message":"Accepted publickey for deploy","user":{"name":"deploy"}}`)},
	}})
	require.NoError(t, err)
	// Published twice, as after a redelivery: the ids make the second one invisible.
	for range 2 {
		require.NoError(t, q.Publish(ctx, queue.TopicEvents, queue.Message{Key: "acme/ssh", Body: body}))
	}
	q.Seal(queue.TopicEvents)
	ix := search.NewIndexer(search.IndexerConfig{BatchSize: 1}, q, backend, dir, nil, nil)
	require.NoError(t, ix.Run(ctx))
	require.NoError(t, ctx.Err(), "Run returned because the topic was drained")

	n, err := query.Parse("failed user.name:root")
	require.NoError(t, err)
	res, err := backend.Search(ctx, search.Request{Tenant: "acme", Query: n, From: ts.Add(-time.Hour), To: ts.Add(2 * time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Total)
	require.Equal(t, "e1", res.Hits[0].ID)
	all, err := backend.Search(ctx, search.Request{Tenant: "acme", From: ts.Add(-time.Hour), To: ts.Add(2 * time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, int64(2), all.Total)
}

// A tenant whose writes fail (here, its retention cannot be read) fails alone: the other
// tenant's events are searchable meanwhile, and the failing batch goes to the dead letters
// with the engine's reason.
func TestIndexerIsolatesATenantsFailingWrites(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	defer q.Close()
	backend := openEngine(t, func(_ context.Context, key string) (int, error) {
		if key == "acme" {
			return 0, errors.New("retention of acme: catalog unreachable")
		}
		return 7, nil
	})
	dir, err := tenant.NewStatic([]tenant.Config{{ID: "acme"}, {ID: "globex"}})
	require.NoError(t, err)
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupIndexer))

	ts := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	publish := func(id string, n int) {
		body, err := proto.Marshal(&trollyv1.EventBatch{TenantId: id, Events: []*trollyv1.Event{
			{Id: fmt.Sprintf("%s-%d", id, n), TimestampUnixNano: ts.UnixNano(), Source: []byte(`{"message":"hello"}`)},
		}})
		require.NoError(t, err)
		require.NoError(t, q.Publish(ctx, queue.TopicEvents, queue.Message{Key: id + "/app", Body: body}))
	}
	publish("acme", 1)
	publish("globex", 1)
	cfg := search.IndexerConfig{RetryBackoff: time.Millisecond, MaxRetryBackoff: time.Millisecond,
		Policy: sink.Policy{DeadLetterAttempts: 2}}
	ix := search.NewIndexer(cfg, q, backend, dir, nil, nil)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ix.Run(runCtx) }()
	defer func() { stop(); require.NoError(t, <-done) }()

	// A held batch is given up only once the sink wrote something else after its first
	// failure (else the store is down, and it waits): globex keeps writing, since its
	// first batch may have been written before acme's failed.
	var dead []queue.DeadLetter
	globex := 1
	require.Eventually(t, func() bool {
		got, err := q.DeadLetters(ctx, 10)
		require.NoError(t, err)
		dead = append(dead, got...)
		if len(dead) == 0 {
			globex++
			publish("globex", globex)
		}
		return len(dead) > 0
	}, 20*time.Second, 10*time.Millisecond, "acme's batch is dead-lettered")
	require.Equal(t, "acme/app", dead[0].Key)
	// at least the policy's 2: workers that write globex meanwhile count acme's in a row
	require.Regexp(t, `index events of tenant acme: gave up after \d+ failed writes`, dead[0].Reason)
	require.Contains(t, dead[0].Reason, "catalog unreachable")

	res, err := backend.Search(ctx, search.Request{Tenant: "globex", From: ts.Add(-time.Hour), To: ts.Add(time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Positive(t, res.Total, "globex is indexed")
}

// openEngine opens the embedded engine in one class of a century: the events are of 2024.
func openEngine(t *testing.T, retention vlogs.RetentionFunc) *vlogs.Backend {
	t.Helper()
	b, err := vlogs.Open(vlogs.Config{Dir: t.TempDir(), Classes: []int{36500}}, retention)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b
}
