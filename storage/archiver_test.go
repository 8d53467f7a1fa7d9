package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/storage"
)

var hour13 = time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC)

// quiet is a config under which only what a test provokes flushes a chunk.
func quiet() storage.ArchiverConfig {
	return storage.ArchiverConfig{
		MaxChunkBytes:    1 << 20,
		MaxChunkAge:      time.Hour,
		MaxBufferedBytes: 64 << 20,
		RetryMinBackoff:  time.Millisecond,
		RetryMaxBackoff:  5 * time.Millisecond,
		StopTimeout:      5 * time.Second,
	}
}

func events(prefix string, n int, ts time.Time) []*trollyv1.Event {
	out := make([]*trollyv1.Event, n)
	for i := range out {
		out[i] = event(fmt.Sprintf("%s-%03d", prefix, i), ts.Add(time.Duration(i)*time.Millisecond), "payload of a typical log line, padded to about a hundred bytes")
	}
	return out
}

func sources(evs []*trollyv1.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = string(e.GetSource())
	}
	return out
}

func requireSettledOnce(t *testing.T, h *harness, wantAcked, wantNacked, wantRejected int) {
	t.Helper()
	acks, nacks, violations := h.rec.counts()
	rejects := h.rec.rejections()
	require.Empty(t, violations)
	require.Len(t, acks, wantAcked)
	require.Len(t, nacks, wantNacked)
	require.Len(t, rejects, wantRejected)
	for tag, n := range acks {
		require.Equal(t, 1, n, "delivery %d acked %d times", tag, n)
		require.Zero(t, nacks[tag], "delivery %d acked and nacked", tag)
		require.NotContains(t, rejects, tag, "delivery %d acked and rejected", tag)
	}
	for tag := range rejects {
		require.Zero(t, nacks[tag], "delivery %d rejected and nacked", tag)
	}
}

func TestArchiverSizeFlush(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkBytes = 2048
	h := startArchiver(t, cfg, newFSBucket(t), nil)
	evs := events("size", 100, hour13.Add(time.Minute))
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", evs...), 1))
	require.NoError(t, h.sealAndWait(t))

	requireSettledOnce(t, h, 1, 0, 0)
	chunks := mustReadArchive(t, h.bucket)
	size := h.metric(t, "trolly_archiver_chunks_written_total", "reason", "size")
	require.GreaterOrEqual(t, size, 4.0)
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_chunks_written_total", "reason", "drain"))
	require.Len(t, chunks, int(size)+1)
	docLen := len(evs[0].GetSource()) + 1
	var all []string
	for _, c := range chunks {
		n := 0
		for _, d := range c.docs {
			n += len(d) + 1
		}
		require.Less(t, int64(n), cfg.MaxChunkBytes+int64(docLen), "%s overflows", c.key)
		all = append(all, c.docs...)
	}
	require.Equal(t, sources(evs), all, "chunks in key order hold the events in order")
	require.Equal(t, 100.0, h.metric(t, "trolly_archiver_events_total", "tenant", "acme"))
	require.Zero(t, h.metric(t, "trolly_archiver_buffered_bytes"))
}

func TestArchiverAgeFlushRealClock(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkAge = 20 * time.Millisecond
	h := startArchiver(t, cfg, newFSBucket(t), nil)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", events("age", 3, time.Now())...), 1))
	h.rec.waitSettled(t, 1)
	requireSettledOnce(t, h, 1, 0, 0)
	require.Len(t, mustReadArchive(t, h.bucket), 1)
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_chunks_written_total", "reason", "age"))
	require.NoError(t, h.sealAndWait(t))
}

func TestArchiverAgeFlushInjectedClock(t *testing.T) {
	clock := &fixedClock{t: hour13.Add(30 * time.Minute)}
	h := startArchiver(t, quiet(), newFSBucket(t), clock.now)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", events("age", 3, hour13)...), 1))
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b2", events("age2", 3, hour13)...), 1))
	h.sync(t)
	clock.advance(59 * time.Minute)
	h.sync(t)
	require.Empty(t, h.rec.settled, "not due before max_chunk_age on the injected clock")
	clock.advance(time.Minute)
	h.rec.waitSettled(t, 2)
	requireSettledOnce(t, h, 2, 0, 0)
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_chunks_written_total", "reason", "age"))
	chunks := mustReadArchive(t, h.bucket)
	require.Len(t, chunks, 1)
	require.Equal(t, clock.now().UnixMilli(), chunks[0].ref.ID.Timestamp().UnixMilli(), "the chunk id is the flush time")
	require.NoError(t, h.sealAndWait(t))
}

func TestArchiverDrain(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	batches := []*trollyv1.EventBatch{
		batchOf("acme", "web", "b1", events("a", 5, hour13)...),
		batchOf("acme", "db", "b2", events("b", 5, hour13)...),
		batchOf("globex", "web", "b3", events("c", 5, hour13.Add(2*time.Hour))...),
		batchOf("acme", "web", "b4", events("d", 5, hour13.Add(time.Minute))...),
	}
	for _, b := range batches {
		h.send(t, h.rec.delivery(t, b, 1))
	}
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 4, 0, 0)
	require.Equal(t, 3.0, h.metric(t, "trolly_archiver_chunks_written_total", "reason", "drain"))
	got := streamDocs(mustReadArchive(t, h.bucket))
	require.Equal(t, map[string][]string{
		"acme/web/2024-05-01T13:00:00Z":   append(sources(batches[0].Events), sources(batches[3].Events)...),
		"acme/db/2024-05-01T13:00:00Z":    sources(batches[1].Events),
		"globex/web/2024-05-01T15:00:00Z": sources(batches[2].Events),
	}, got)
}

func TestArchiverStopWritesWhatItHolds(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	evs := events("stop", 10, hour13)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", evs...), 1))
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b2", events("stop2", 1, hour13)...), 1))
	h.sync(t)
	h.cancel()
	require.NoError(t, h.wait(t))
	requireSettledOnce(t, h, 2, 0, 0)
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_chunks_written_total", "reason", "stop"))
	require.Len(t, mustReadArchive(t, h.bucket), 1)
}

func TestArchiverStopNacksWhatItCannotWrite(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkBytes = 64 // every event fills a chunk: the first Put comes at once
	cfg.MaxBufferedBytes = 64
	cfg.StopTimeout = 50 * time.Millisecond
	bucket := &flakyBucket{Bucket: newFSBucket(t), failures: -1, attempts: make(chan string, 1)}
	h := startArchiver(t, cfg, bucket, nil)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", events("down", 3, hour13)...), 1))
	select {
	case <-bucket.attempts:
	case <-time.After(20 * time.Second):
		t.Fatal("no Put attempted")
	}
	h.cancel()
	require.NoError(t, h.wait(t))
	requireSettledOnce(t, h, 0, 1, 0)
	require.Empty(t, mustReadArchive(t, bucket))
	require.GreaterOrEqual(t, h.metric(t, "trolly_archiver_put_errors_total"), 1.0)
	require.Zero(t, h.metric(t, "trolly_archiver_events_total", "tenant", "acme"))
}

func TestArchiverAcksOnlyAfterPut(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkBytes = 1024
	bucket := &flakyBucket{Bucket: newFSBucket(t), failures: 5}
	h := startArchiver(t, cfg, bucket, nil)
	for i := range 6 {
		// Each batch spans two hours, so most wait for two chunks.
		evs := append(events(fmt.Sprintf("x%d", i), 8, hour13), events(fmt.Sprintf("y%d", i), 4, hour13.Add(time.Hour))...)
		h.send(t, h.rec.delivery(t, batchOf("acme", "web", fmt.Sprint(i), evs...), 1))
	}
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 6, 0, 0) // and the recorder checked durability at each ack
	require.Equal(t, 5.0, h.metric(t, "trolly_archiver_put_errors_total"))
}

func TestArchiverMultiHourBatch(t *testing.T) {
	clock := &fixedClock{t: time.Date(2024, 5, 2, 0, 30, 0, 0, time.UTC)}
	h := startArchiver(t, quiet(), newFSBucket(t), clock.now)
	stamps := []time.Time{
		time.Date(2024, 5, 1, 13, 59, 59, 999999999, time.UTC),
		time.Date(2024, 5, 1, 14, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC),
		time.Date(2024, 5, 2, 0, 10, 0, 0, time.FixedZone("CEST", 2*3600)),
		time.Date(2024, 5, 1, 15, 30, 0, 0, time.UTC),
	}
	evs := make([]*trollyv1.Event, len(stamps))
	for i, ts := range stamps {
		evs[i] = event(fmt.Sprintf("mh-%d", i), ts, "multi-hour")
	}
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", evs...), 1))
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 1, 0, 0)

	chunks := mustReadArchive(t, h.bucket)
	var keys []string
	for _, c := range chunks {
		keys = append(keys, storage.HourPrefix(c.ref.Tenant, c.ref.Stream, c.ref.Hour))
		require.Equal(t, clock.now().UnixMilli(), int64(c.ref.ID.Time()))
		require.Equal(t, c.key, storage.ChunkKey("acme", "web", c.ref.Hour, c.ref.ID))
	}
	require.Equal(t, []string{
		"acme/web/2024/05/01/13/",
		"acme/web/2024/05/01/14/",
		"acme/web/2024/05/01/15/",
		"acme/web/2024/05/01/22/", // 00:10 CEST on the 2nd
	}, keys)
	require.Equal(t, []string{string(evs[0].Source), string(evs[2].Source)}, chunks[0].docs)
	require.Equal(t, []string{string(evs[3].Source)}, chunks[3].docs)
}

func TestArchiverReadBackExactly(t *testing.T) {
	lines := corpusLines(t)
	cfg := quiet()
	cfg.MaxChunkBytes = 32 << 10
	cfg.MaxBufferedBytes = 256 << 10
	h := startArchiver(t, cfg, newFSBucket(t), nil)
	tenants := []string{"acme", "globex", "initech"}
	streams := []string{"syslog", "web"}
	want := map[string][]string{}
	const perBatch = 50
	for start := 0; start < len(lines); start += perBatch {
		n := start / perBatch
		tenant, stream := tenants[n%len(tenants)], streams[n%len(streams)]
		var evs []*trollyv1.Event
		for i, line := range lines[start:min(start+perBatch, len(lines))] {
			ts := hour13.Add(time.Duration(start+i) * 3 * time.Second)
			ev := event(fmt.Sprintf("%d", start+i), ts, line)
			evs = append(evs, ev)
			k := fmt.Sprintf("%s/%s/%s", tenant, stream, ts.Truncate(time.Hour).Format(time.RFC3339))
			want[k] = append(want[k], string(ev.Source))
		}
		h.send(t, h.rec.delivery(t, batchOf(tenant, stream, fmt.Sprint(n), evs...), 1))
	}
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, (len(lines)+perBatch-1)/perBatch, 0, 0)
	require.Equal(t, want, streamDocs(mustReadArchive(t, h.bucket)))
	require.Positive(t, h.metric(t, "trolly_archiver_chunks_written_total", "reason", "memory"))
}

func TestArchiverRedelivery(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	batch := batchOf("acme", "web", "b1", events("r", 4, hour13)...)
	h.send(t, h.rec.delivery(t, batch, 1))
	h.send(t, h.rec.delivery(t, batch, 2))
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 2, 0, 0)
	docs := streamDocs(mustReadArchive(t, h.bucket))["acme/web/2024-05-01T13:00:00Z"]
	// Duplicates are allowed in the archive: the same documents, with the same event.id.
	require.Equal(t, append(sources(batch.Events), sources(batch.Events)...), docs)
}

// Envelopes that can never be archived are rejected with their reason, and the batches
// behind them are archived; events without a document are dropped from their batch.
func TestArchiverRejects(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	good := events("ok", 2, hour13)
	withEmpty := batchOf("acme", "web", "b4", good[0], &trollyv1.Event{Id: "empty", TimestampUnixNano: hour13.UnixNano()}, good[1])
	poison := []struct {
		d      *queue.Delivery
		reason string
	}{
		{h.rec.raw([]byte{0xff, 0xff, 0xff}, 1, nil), "decode event batch: "},
		{h.rec.rejected(t, batchOf("Acme/../x", "web", "b2", events("bad", 1, hour13)...)), `event batch b2 has an invalid tenant "Acme/../x" (key "Acme/../x") or stream "web"`},
		{h.rec.rejected(t, batchOf("acme", "", "b3", events("bad", 1, hour13)...)), `event batch b3 has an invalid tenant "acme" (key "acme") or stream ""`},
	}
	h.send(t,
		poison[0].d, poison[1].d, poison[2].d,
		h.rec.delivery(t, batchOf("acme", "web", "b5"), 1),
		h.rec.delivery(t, withEmpty, 1),
	)
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 2, 0, 3)
	rejects := h.rec.rejections()
	for tag, p := range poison {
		require.Contains(t, rejects[uint64(tag+1)], p.reason)
	}
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_rejected_total", "reason", "decode"))
	require.Equal(t, 2.0, h.metric(t, "trolly_archiver_rejected_total", "reason", "bad_tenant_or_stream"))
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_dropped_total", "reason", "empty_event"))
	chunks := mustReadArchive(t, h.bucket)
	require.Len(t, chunks, 1)
	require.Equal(t, sources(good), chunks[0].docs)
}

func TestArchiverReceiveError(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", events("e", 2, hour13)...), 1))
	broken := fmt.Errorf("connection reset: %w", context.DeadlineExceeded)
	h.q.steps <- step{err: broken}
	err := h.wait(t)
	require.ErrorIs(t, err, broken)
	requireSettledOnce(t, h, 1, 0, 0) // what it held was written first
}

func TestArchiverBadConfig(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkAge = -time.Second
	a := storage.NewArchiver(cfg, &scriptQueue{}, newFSBucket(t), nil, nil, nil)
	require.ErrorContains(t, a.Run(t.Context()), "max_chunk_age: must be > 0")
}

func TestArchiverDeclareFails(t *testing.T) {
	q := &badDeclareQueue{}
	a := storage.NewArchiver(quiet(), q, newFSBucket(t), nil, nil, nil)
	require.ErrorIs(t, a.Run(t.Context()), queue.ErrClosed)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.NoError(t, a.Run(ctx), "a canceled context is a normal stop")
}

type badDeclareQueue struct{ scriptQueue }

func (*badDeclareQueue) Declare(context.Context, string, ...string) error { return queue.ErrClosed }

// TestArchiverRoutedEvents files an event a pipeline routed to another stream under that
// stream, and one routed to a name that is not a stream under the batch's.
func TestArchiverRoutedEvents(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	evs := events("route", 3, hour13.Add(time.Minute))
	evs[1].Stream = "audit"
	evs[2].Stream = "../web"
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "b1", evs...), 1))
	require.NoError(t, h.sealAndWait(t))

	requireSettledOnce(t, h, 1, 0, 0)
	byStream := map[string][]string{}
	for _, c := range mustReadArchive(t, h.bucket) {
		require.Equal(t, "acme", c.ref.Tenant, c.key)
		byStream[c.ref.Stream] = append(byStream[c.ref.Stream], c.docs...)
	}
	require.Equal(t, map[string][]string{
		"web":   {string(evs[0].GetSource()), string(evs[2].GetSource())},
		"audit": {string(evs[1].GetSource())},
	}, byStream)
	require.Equal(t, 1.0, h.metric(t, "trolly_archiver_misrouted_events_total"))
}

// Chunks are filed under the batch's tenant key: a tenant made again (globex.9) never
// shares a chunk with its predecessor (globex.4), and a batch queued before keys existed
// is filed under the tenant's id. A key of another tenant than the batch's is refused.
func TestArchiverFilesByTenantKey(t *testing.T) {
	h := startArchiver(t, quiet(), newFSBucket(t), nil)
	keyed := func(key, id string, evs ...*trollyv1.Event) *trollyv1.EventBatch {
		b := batchOf("globex", "web", id, evs...)
		b.TenantKey = key
		return b
	}
	batches := []*trollyv1.EventBatch{
		keyed("globex.4", "b1", events("old", 2, hour13)...),
		keyed("globex.9", "b2", events("new", 2, hour13)...),
		keyed("", "b3", events("legacy", 2, hour13)...),
	}
	for _, b := range batches {
		h.send(t, h.rec.delivery(t, b, 1))
	}
	h.send(t, h.rec.rejected(t, keyed("acme.9", "b4", events("stolen", 1, hour13)...)))
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 3, 0, 1)
	require.Contains(t, h.rec.rejections()[4], `event batch b4 has an invalid tenant "globex" (key "acme.9")`)
	require.Equal(t, map[string][]string{
		"globex.4/web/2024-05-01T13:00:00Z": sources(batches[0].Events),
		"globex.9/web/2024-05-01T13:00:00Z": sources(batches[1].Events),
		"globex/web/2024-05-01T13:00:00Z":   sources(batches[2].Events),
	}, streamDocs(mustReadArchive(t, h.bucket)))
	require.Equal(t, 6.0, h.metric(t, "trolly_archiver_events_total", "tenant", "globex"), "metrics name the tenant, not its key")
}
