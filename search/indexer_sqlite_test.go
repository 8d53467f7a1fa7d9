package search_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/search/sqlite"
	"github.com/trolly-logs/trolly/tenant"
)

// The data path from the events topic to a search, as "trolly all" wires it.
func TestIndexerIntoSQLite(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	defer q.Close()
	backend, err := sqlite.Open(sqlite.Config{Dir: t.TempDir()}, nil, nil)
	require.NoError(t, err)
	defer backend.Close()
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
