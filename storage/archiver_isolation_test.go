package storage_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/storage/fs"
)

// unwritableTenant makes tenant's directory of an fs bucket unwritable, for root too: a
// link to a directory that does not exist, which List skips as it skips every non-file.
func unwritableTenant(t *testing.T, tenant string) *fs.Bucket {
	t.Helper()
	b, err := fs.New(filepath.Join(t.TempDir(), "archive"))
	require.NoError(t, err)
	require.NoError(t, os.Symlink(filepath.Join(t.TempDir(), "gone"), filepath.Join(b.Root(), tenant)))
	return b
}

// A tenant whose directory cannot be written is retried alone: the other tenant's chunks
// are written meanwhile, and the failing batch is finally dead-lettered with its reason.
func TestArchiverIsolatesAFailingTenant(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkBytes = 64 // every batch fills a chunk: it is written at once
	cfg.MaxBufferedBytes = 64
	cfg.DeadLetterAttempts = 3
	bucket := unwritableTenant(t, "acme")
	h := startArchiver(t, cfg, bucket, nil)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "a1", events("a", 1, hour13)...), 1))
	h.send(t, h.rec.delivery(t, batchOf("globex", "web", "g1", events("g", 1, hour13)...), 1))
	h.send(t, h.rec.delivery(t, batchOf("globex", "web", "g2", events("g", 1, hour13)...), 1))
	h.rec.waitSettled(t, 2)
	acks, _, violations := h.rec.counts()
	require.Empty(t, violations)
	require.Equal(t, map[uint64]int{2: 1, 3: 1}, acks, "globex's batches are archived while acme's fails")

	h.rec.waitSettled(t, 1)
	reasons := h.rec.rejections()
	require.Len(t, reasons, 1)
	require.Contains(t, reasons[1], "archive events of tenant acme stream web: gave up on chunk acme/web/")
	require.Contains(t, reasons[1], "after 3 failed writes")
	require.Contains(t, reasons[1], "no such file or directory", "the reason says what failed")
	require.Equal(t, 3.0, h.metric(t, "trolly_sink_write_failures_total", "sink", "archiver", "tenant", "acme"))
	require.Equal(t, 1.0, h.metric(t, "trolly_sink_dead_lettered_total", "sink", "archiver", "tenant", "acme"))

	// acme is known broken: its next batches are given up at their first failure.
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "a2", events("a2", 1, hour13)...), 1),
		h.rec.delivery(t, batchOf("acme", "web", "a3", events("a3", 1, hour13)...), 1))
	h.rec.waitSettled(t, 2)
	reasons = h.rec.rejections()
	require.Len(t, reasons, 3)
	require.Contains(t, reasons[4], "after 1 failed writes")
	require.Contains(t, reasons[5], "after 1 failed writes")
	h.cancel()
	require.NoError(t, h.wait(t))
	requireSettledOnce(t, h, 2, 0, 3)
}

// When every write fails the bucket is down: the chunks are retried until it is back,
// never dead-lettered, however many attempts it takes.
func TestArchiverWaitsOutAnOutage(t *testing.T) {
	cfg := quiet()
	cfg.MaxChunkBytes = 64
	cfg.MaxBufferedBytes = 64
	cfg.DeadLetterAttempts = 1
	bucket := &flakyBucket{Bucket: newFSBucket(t), failures: 6}
	h := startArchiver(t, cfg, bucket, nil)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "a1", events("a", 1, hour13)...), 1))
	h.send(t, h.rec.delivery(t, batchOf("globex", "web", "g1", events("g", 1, hour13)...), 1))
	require.NoError(t, h.sealAndWait(t))
	requireSettledOnce(t, h, 2, 0, 0)
	require.Equal(t, 6.0, h.metric(t, "trolly_archiver_put_errors_total"))
}
