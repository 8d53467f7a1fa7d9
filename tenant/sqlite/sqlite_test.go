package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/catalogtest"
)

func TestCatalog(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T, now func() time.Time) tenant.Catalog {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{Now: now})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	})
}

// migrationRows returns schema_migrations as version -> applied_at.
func migrationRows(t *testing.T, path string) map[int]string {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	rows, err := db.Query(`SELECT version, applied_at FROM schema_migrations`)
	require.NoError(t, err)
	defer func() { require.NoError(t, rows.Close()) }()
	got := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		require.NoError(t, rows.Scan(&v, &at))
		got[v] = at
	}
	require.NoError(t, rows.Err())
	return got
}

func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new", "dir", "catalog.db")
	s, err := Open(ctx, path, tenant.StoreOptions{})
	require.NoError(t, err)
	_, err = s.CreatePlan(ctx, tenant.Actor{Kind: "cli"}, tenant.Plan{ID: "gold", Name: "Gold"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	applied := migrationRows(t, path)
	ms, err := migrations()
	require.NoError(t, err)
	require.Len(t, applied, len(ms))

	later := func() time.Time { return time.Now().Add(time.Hour) }
	s, err = Open(ctx, path, tenant.StoreOptions{Now: later})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	p, err := s.GetPlan(ctx, "gold")
	require.NoError(t, err)
	require.Equal(t, "Gold", p.Name)
	v, err := s.Version(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), v)
	require.Equal(t, applied, migrationRows(t, path), "no migration ran again")
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	s, err := Open(ctx, path, tenant.StoreOptions{})
	require.NoError(t, err)
	_, err = s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'future')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = Open(ctx, path, tenant.StoreOptions{})
	ms, err2 := migrations()
	require.NoError(t, err2)
	require.ErrorContains(t, err, fmt.Sprintf("catalog schema version 9999 is newer than this binary's %d", ms[len(ms)-1].version))
}

// TestConcurrentOpen opens one new file from several stores at once, as the processes of
// one machine do: each migration applies once.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	done := make(chan int)
	for i := range stores {
		go func() {
			stores[i], errs[i] = Open(ctx, path, tenant.StoreOptions{})
			done <- i
		}()
	}
	for range stores {
		<-done
	}
	for i, s := range stores {
		require.NoError(t, errs[i])
		require.NoError(t, s.Close())
	}
	ms, err := migrations()
	require.NoError(t, err)
	require.Len(t, migrationRows(t, path), len(ms))
}

// TestTenantKeysMigration opens a catalog written before tenant keys: its tenants keep
// their id as key, so the data already filed under it stays theirs, and a tenant made
// after gets a key that no earlier one has.
func TestTenantKeysMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "catalog.db")
	db, err := sql.Open("sqlite", dsn(path))
	require.NoError(t, err)
	ms, err := migrations()
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`)
	require.NoError(t, err)
	for _, m := range ms {
		if m.version > 2 {
			break
		}
		_, err = db.ExecContext(ctx, m.sql)
		require.NoError(t, err, m.name)
		_, err = db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 'then')`, m.version)
		require.NoError(t, err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO plans VALUES ('p', 'P', 1, 1, 1, 1, 1, 1, 1, 7, 90, '', 0, 0)`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO tenants VALUES ('acme', 'ACME', 'p', '', 0, 0)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := Open(ctx, path, tenant.StoreOptions{})
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	old, err := s.GetTenant(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, "acme", old.Key)
	require.True(t, tenant.ValidKey(old.Key))
	require.NoError(t, s.DeleteTenant(ctx, tenant.Actor{Kind: "cli"}, "acme"))
	again, err := s.CreateTenant(ctx, tenant.Actor{Kind: "cli"}, tenant.Tenant{ID: "acme", Name: "ACME again", PlanID: "p"})
	require.NoError(t, err)
	require.NotEqual(t, old.Key, again.Key)
	require.True(t, tenant.ValidKey(again.Key))
	ts, err := s.Tombstones(ctx, tenant.PurgeSearch)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	require.Equal(t, "acme", ts[0].Key)
}
