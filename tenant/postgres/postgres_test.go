package postgres

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/pgtest"
	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/catalogtest"
)

func TestCatalog(t *testing.T) {
	catalogtest.Run(t, func(t *testing.T, now func() time.Time) tenant.Catalog {
		return openStore(t, newDatabase(t), now)
	})
}

func newDatabase(t *testing.T) string { return pgtest.NewDatabase(t, "") }

// openStore opens a store on dsn, closed when the test ends.
func openStore(t *testing.T, dsn string, now func() time.Time) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, tenant.StoreOptions{Now: now})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConcurrentOpensMigrateOnce(t *testing.T) {
	dsn := newDatabase(t)
	const openers = 4
	stores := make([]*Store, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Go(func() { stores[i], errs[i] = Open(context.Background(), dsn, tenant.StoreOptions{}) })
	}
	wg.Wait()
	for i := range openers {
		require.NoError(t, errs[i], "open %d", i)
		t.Cleanup(func() { _ = stores[i].Close() })
	}

	ctx := context.Background()
	ms, err := migrations()
	require.NoError(t, err)
	rows, err := stores[0].pool.Query(ctx, `SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	require.NoError(t, err)
	counts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Version, N int }])
	require.NoError(t, err)
	require.Len(t, counts, len(ms))
	for i, c := range counts {
		require.Equal(t, ms[i].version, c.Version)
		require.Equal(t, 1, c.N, "migration %d applied %d times", c.Version, c.N)
	}

	var tables []string
	rows, err = stores[0].pool.Query(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = 'public' ORDER BY table_name`)
	require.NoError(t, err)
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"api_keys", "audit_log", "catalog_version", "cert_authority", "client_certs", "plans", "schema_migrations",
		"sessions", "signing_keys", "streams", "tenant_tombstones", "tenants", "users"}, tables)

	v, err := stores[1].Version(ctx)
	require.NoError(t, err)
	require.Zero(t, v, "the version row is made once")
}

func TestReopenKeepsDataAndMigrations(t *testing.T) {
	dsn := newDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, dsn, tenant.StoreOptions{})
	require.NoError(t, err)
	_, err = s.CreatePlan(ctx, tenant.Actor{Kind: "cli"}, tenant.Plan{ID: "basic", Name: "Basic"})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s = openStore(t, dsn, nil)
	p, err := s.GetPlan(ctx, "basic")
	require.NoError(t, err)
	require.Equal(t, "Basic", p.Name)
	var n int
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n))
	ms, err := migrations()
	require.NoError(t, err)
	require.Equal(t, len(ms), n)
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := newDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, dsn, tenant.StoreOptions{})
	require.NoError(t, err)
	ms, err := migrations()
	require.NoError(t, err)
	latest := ms[len(ms)-1].version
	_, err = s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())`, latest+1)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	_, err = Open(ctx, dsn, tenant.StoreOptions{})
	require.ErrorContains(t, err, "catalog schema version "+strconv.Itoa(latest+1)+" is newer than this binary's "+strconv.Itoa(latest))
}

func TestClosedStoreFails(t *testing.T) {
	s, err := Open(context.Background(), newDatabase(t), tenant.StoreOptions{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	ctx := context.Background()
	_, err = s.Version(ctx)
	require.Error(t, err)
	_, err = s.CreatePlan(ctx, tenant.Actor{Kind: "cli"}, tenant.Plan{ID: "basic", Name: "Basic"})
	require.Error(t, err)
	_, err = s.Snapshot(ctx)
	require.Error(t, err)
	require.Error(t, s.TouchKeys(ctx, map[string]time.Time{"k": time.Now()}))
	require.NoError(t, s.Close(), "closing twice is harmless")
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Open(ctx, "postgres://postgres@127.0.0.1:1/postgres?connect_timeout=2", tenant.StoreOptions{})
	require.ErrorContains(t, err, "connect to catalog")
	_, err = Open(ctx, "postgres://%zz", tenant.StoreOptions{})
	require.ErrorContains(t, err, "parse catalog dsn")
}

// TestOrderIsByteOrder checks that lists and their pages follow byte order, as the page
// tokens do, on a database whose locale orders otherwise (ICU's en-US ignores punctuation).
func TestOrderIsByteOrder(t *testing.T) {
	dsn := pgtest.NewDatabase(t, `TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`)
	s := openStore(t, dsn, nil)
	ctx := context.Background()
	actor := tenant.Actor{Kind: "cli"}
	_, err := s.CreatePlan(ctx, actor, tenant.Plan{ID: "p", Name: "P"})
	require.NoError(t, err)
	ids := []string{"ab", "a1", "a-c", "a0-z"}
	for _, id := range ids {
		_, err := s.CreateTenant(ctx, actor, tenant.Tenant{ID: id, Name: id, PlanID: "p"})
		require.NoError(t, err)
	}
	for _, email := range []string{"root@example.com", "root2@example.com"} {
		_, err := s.CreateUser(ctx, actor, tenant.User{Email: email, Role: tenant.RoleOperator,
			PasswordHash: tenant.HashPassword("pw", tenant.PasswordParams{Memory: 64, Time: 1, Threads: 1})})
		require.NoError(t, err)
	}

	var got []string
	page := tenant.Page{Size: 1}
	for {
		ts, next, err := s.ListTenants(ctx, page)
		require.NoError(t, err)
		for _, tn := range ts {
			got = append(got, tn.ID)
		}
		if next == "" {
			break
		}
		page.Token = next
	}
	require.Equal(t, []string{"a-c", "a0-z", "a1", "ab"}, got)

	us, _, err := s.ListUsers(ctx, "", tenant.Page{})
	require.NoError(t, err)
	require.Len(t, us, 2)
	require.Equal(t, "root2@example.com", us[0].Email, "'2' is before '@'")
}
