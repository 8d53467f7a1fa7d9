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
	bucket := unwritableTenant(t, "acme")
	h := startArchiver(t, cfg, bucket, nil)
	h.send(t, h.rec.delivery(t, batchOf("acme", "web", "a1", events("a", 1, hour13)...), 1))
	h.send(t, h.rec.delivery(t, batchOf("globex", "web", "g1", events("g", 1, hour13)...), 1))
	h.send(t, h.rec.delivery(t, batchOf("globex", "web", "g2", events("g", 1, hour13)...), 1))
	h.rec.waitSettled(t, 2)
	acks, _, violations := h.rec.counts()
	require.Empty(t, violations)
	require.Equal(t, map[uint64]int{2: 1, 3: 1}, acks, "globex's batches are archived while acme's fails")
}
