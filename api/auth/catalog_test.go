package auth

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/sqlite"
)

// openCatalog returns a new SQLite catalog on clock now, closed when the test ends.
func openCatalog(t *testing.T, now func() time.Time) tenant.Catalog {
	t.Helper()
	cat, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{Now: now})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, cat.Close()) })
	return cat
}
