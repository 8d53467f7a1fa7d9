package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/storage"
)

// TestArchiverWithMemoryQueue runs the archiver on the in-process queue from publish to
// drain. The memory queue reports a sealed topic drained only once every delivery is
// acknowledged, so here the age flush, not the drain, writes the chunks.
func TestArchiverWithMemoryQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupArchiver))

	want := map[string][]string{}
	for i := range 20 {
		tenant, stream := []string{"acme", "globex"}[i%2], []string{"web", "db", "syslog"}[i%3]
		evs := events(fmt.Sprintf("m%d", i), 25, hour13.Add(time.Duration(i)*10*time.Minute))
		body, err := proto.Marshal(batchOf(tenant, stream, fmt.Sprint(i), evs...))
		require.NoError(t, err)
		require.NoError(t, q.Publish(ctx, queue.TopicEvents, queue.Message{Key: tenant + "/" + stream, Body: body}))
		for _, ev := range evs {
			k := fmt.Sprintf("%s/%s/%s", tenant, stream, time.Unix(0, ev.TimestampUnixNano).UTC().Truncate(time.Hour).Format(time.RFC3339))
			want[k] = append(want[k], string(ev.Source))
		}
	}
	q.Seal(queue.TopicEvents)

	cfg := quiet()
	cfg.MaxChunkAge = 20 * time.Millisecond
	bucket := newFSBucket(t)
	require.NoError(t, storage.NewArchiver(cfg, q, bucket, nil, nil, nil).Run(ctx))
	require.NoError(t, ctx.Err(), "Run returned because the topic drained")
	require.Equal(t, want, streamDocs(mustReadArchive(t, bucket)))

	// Nothing is left for the group: a new consumer is told at once.
	cons, err := q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	require.NoError(t, err)
	_, err = cons.Receive(ctx, 1)
	require.ErrorIs(t, err, queue.ErrClosed)
}
