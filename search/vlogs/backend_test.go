package vlogs

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/searchtest"
)

// suiteRetention gives the suite's tenants their retention: acme-corp keeps 90 days
// (monthly indices), the others 7.
func suiteRetention(_ context.Context, key string) (int, error) {
	if key == "acme-corp" {
		return 90, nil
	}
	return 7, nil
}

// open opens a backend on dir whose one class keeps a century: the suite's events are of
// 2024, and the engine drops what its retention no longer keeps.
func open(t testing.TB, dir string) *Backend {
	t.Helper()
	b, err := Open(Config{Dir: dir, Classes: []int{36500}}, suiteRetention)
	require.NoError(t, err)
	return b
}

func TestConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Backend { return open(t, t.TempDir()) })
}

func TestPersistence(t *testing.T) {
	searchtest.RunPersistence(t, func(t *testing.T) func(t *testing.T) search.Backend {
		dir := t.TempDir()
		return func(t *testing.T) search.Backend { return open(t, dir) }
	})
}

func TestCalls(t *testing.T) {
	searchtest.RunCalls(t, func(t *testing.T) search.Backend { return open(t, t.TempDir()) })
}
