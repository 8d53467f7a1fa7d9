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
// drain. The chunks are too young to be written by age: the drain writes them, as soon as
// the queue says nothing more can come.
func TestArchiverWithMemoryQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	q := newEventsQueue(ctx, t)

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
	cfg.MaxChunkAge = time.Hour
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

// newEventsQueue is the in-process queue with the archiver's group declared.
func newEventsQueue(ctx context.Context, t *testing.T) *memory.Queue {
	t.Helper()
	q, err := memory.New(memory.Config{}, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Declare(ctx, queue.TopicEvents, queue.GroupArchiver))
	return q
}

// durableQueue passes for a queue that keeps what it holds across the process's stop.
type durableQueue struct{ *memory.Queue }

func (durableQueue) Durable() bool { return true }

// TestArchiverDrainFailure stops a drain whose writes keep failing. On the in-memory queue
// Run must say so, since nothing will redeliver what it could not write; on a durable one
// what was not written goes back unacknowledged, for the next start, and Run ends well.
func TestArchiverDrainFailure(t *testing.T) {
	for _, durable := range []bool{false, true} {
		t.Run(fmt.Sprintf("durable=%t", durable), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			q := newEventsQueue(ctx, t)
			body, err := proto.Marshal(batchOf("acme", "web", "1", events("m", 3, hour13)...))
			require.NoError(t, err)
			require.NoError(t, q.Publish(ctx, queue.TopicEvents, queue.Message{Key: "acme/web", Body: body}))
			q.Seal(queue.TopicEvents)

			cfg := quiet()
			cfg.MaxChunkAge = time.Hour
			cfg.StopTimeout = 100 * time.Millisecond
			runCtx, stop := context.WithTimeout(ctx, 500*time.Millisecond) // the process's shutdown deadline
			defer stop()
			var used queue.Queue = q
			if durable {
				used = durableQueue{q}
			}
			bucket := newFSBucket(t)
			err = storage.NewArchiver(cfg, used, &flakyBucket{Bucket: bucket, failures: -1}, nil, nil, nil).Run(runCtx)
			require.NoError(t, ctx.Err())
			if !durable {
				require.ErrorContains(t, err, "drain the events topic")
				return
			}
			require.NoError(t, err)
			require.Positive(t, q.Backlog().Bytes, "the batch is not acknowledged")
			require.Empty(t, mustReadArchive(t, bucket))
		})
	}
}

// TestArchiverDeadLettersWithMemoryQueue puts poison at the head of a stream: it lands in
// the queue's dead letters with its reason, and the batch behind it is archived.
func TestArchiverDeadLettersWithMemoryQueue(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	q := newEventsQueue(ctx, t)
	good := events("after", 3, hour13)
	body, err := proto.Marshal(batchOf("acme", "web", "1", good...))
	require.NoError(t, err)
	poison := queue.Message{Key: "acme/web", Body: []byte("\xff\xff not an event batch")}
	require.NoError(t, q.Publish(ctx, queue.TopicEvents, poison, queue.Message{Key: "acme/web", Body: body}))
	q.Seal(queue.TopicEvents)

	bucket := newFSBucket(t)
	require.NoError(t, storage.NewArchiver(quiet(), q, bucket, nil, nil, nil).Run(ctx))
	require.NoError(t, ctx.Err(), "Run returned because the topic drained")
	require.Equal(t, map[string][]string{"acme/web/2024-05-01T13:00:00Z": sources(good)}, streamDocs(mustReadArchive(t, bucket)))

	dead, err := q.DeadLetters(ctx, 10)
	require.NoError(t, err)
	require.Len(t, dead, 1)
	require.Equal(t, poison, dead[0].Message)
	require.Equal(t, queue.TopicEvents, dead[0].Topic)
	require.Equal(t, queue.GroupArchiver, dead[0].Group)
	require.Equal(t, 1, dead[0].Attempt)
	require.Contains(t, dead[0].Reason, "decode event batch: ")
}
