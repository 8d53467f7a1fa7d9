package main

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func writeBytes(t *testing.T, path string, n int) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, make([]byte, n), 0o600))
}

func TestDirSize(t *testing.T) {
	dir := t.TempDir()
	size, exists, err := dirSize(filepath.Join(dir, "absent"))
	require.NoError(t, err)
	require.False(t, exists)
	require.Zero(t, size)

	writeBytes(t, filepath.Join(dir, "a"), 100)
	writeBytes(t, filepath.Join(dir, "jetstream", "b", "1.blk"), 2000)
	writeBytes(t, filepath.Join(dir, "jetstream", "c", "d", "index.db"), 30)
	require.NoError(t, os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "link"))) // not counted twice
	size, exists, err = dirSize(dir)
	require.NoError(t, err)
	require.True(t, exists)
	require.Equal(t, int64(2130), size)
}

// The sampler keeps the largest size with the lines accepted when it was seen, and the
// size of its last sample.
func TestDirSamplerPeak(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "queue")
	var lines atomic.Int64
	s := newDirSampler(dir, lines.Load)
	s.sample() // before the queue made its directory
	require.False(t, s.use.seen)

	writeBytes(t, filepath.Join(dir, "1.blk"), 1000)
	lines.Store(10)
	s.sample()
	writeBytes(t, filepath.Join(dir, "2.blk"), 2000)
	lines.Store(20)
	s.sample()
	require.NoError(t, os.Remove(filepath.Join(dir, "2.blk")))
	writeBytes(t, filepath.Join(dir, "3.blk"), 500)
	lines.Store(30)
	s.sample()

	use := s.use
	require.NoError(t, use.err)
	require.True(t, use.seen)
	require.Equal(t, int64(3000), use.peak)
	require.Equal(t, int64(20), use.linesAtPeak)
	require.Equal(t, 150.0, use.perLine())
	require.Equal(t, int64(1500), use.end)
}

// Run by its goroutine, the sampler sees the directory grow, and finish takes the end.
func TestSampleDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "queue")
	var lines atomic.Int64
	s := sampleDir(dir, 5*time.Millisecond, lines.Load)
	lines.Store(8) // before the file, which the sampler may see at once
	writeBytes(t, filepath.Join(dir, "1.blk"), 4096)
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.use.peak == 4096
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, os.Remove(filepath.Join(dir, "1.blk")))
	writeBytes(t, filepath.Join(dir, "2.blk"), 100)

	use := s.finish()
	require.NoError(t, use.err)
	require.Equal(t, int64(4096), use.peak)
	require.Equal(t, int64(8), use.linesAtPeak)
	require.Equal(t, int64(100), use.end)
	require.Equal(t, use, s.finish(), "a second finish returns the same")
}
