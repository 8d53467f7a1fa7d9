package sqlite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/searchtest"
)

func open(t testing.TB, dir string) *Backend {
	t.Helper()
	b, err := Open(Config{Dir: dir, MaxOpenIndices: 2}, nil, nil)
	require.NoError(t, err)
	return b
}

// The small cache bound makes the suite evict and reopen index files.
func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Backend { return open(t, t.TempDir()) })
}

func TestPersistence(t *testing.T) {
	searchtest.RunPersistence(t, func(t *testing.T) func(t *testing.T) search.Backend {
		dir := t.TempDir()
		return func(t *testing.T) search.Backend { return open(t, dir) }
	})
}
