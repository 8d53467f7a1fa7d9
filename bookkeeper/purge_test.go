package bookkeeper_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/bookkeeper"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/vlogs"
	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
	"github.com/trolly-logs/trolly/tenant"
	catalogsqlite "github.com/trolly-logs/trolly/tenant/sqlite"
)

var cli = tenant.Actor{Kind: "cli"}

type world struct {
	cat     *catalogsqlite.Store
	backend *vlogs.Backend
	bucket  storage.Bucket
	now     atomic.Int64 // unix nanos of the purgers' clock
}

func newWorld(t *testing.T) *world {
	ctx := t.Context()
	w := &world{}
	w.now.Store(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC).UnixNano())
	var err error
	w.cat, err = catalogsqlite.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{Now: w.clock})
	require.NoError(t, err)
	t.Cleanup(func() { w.cat.Close() })
	// one class of a century: the events are of fixed dates
	w.backend, err = vlogs.Open(vlogs.Config{Dir: filepath.Join(t.TempDir(), "search"), Classes: []int{36500}},
		func(context.Context, string) (int, error) { return 7, nil })
	require.NoError(t, err)
	t.Cleanup(func() { w.backend.Close() })
	w.bucket, err = fs.New(filepath.Join(t.TempDir(), "archive"))
	require.NoError(t, err)
	_, err = w.cat.CreatePlan(ctx, cli, tenant.Plan{ID: "p", Name: "P"})
	require.NoError(t, err)
	return w
}

func (w *world) clock() time.Time        { return time.Unix(0, w.now.Load()).UTC() }
func (w *world) advance(d time.Duration) { w.now.Add(int64(d)) }

func (w *world) tenant(t *testing.T, id string) tenant.Tenant {
	tn, err := w.cat.CreateTenant(t.Context(), cli, tenant.Tenant{ID: id, Name: id, PlanID: "p"})
	require.NoError(t, err)
	return tn
}

// store writes one event under key in search and in the archive.
func (w *world) store(t *testing.T, key, id string) {
	ts := w.clock()
	doc := search.Doc{ID: id, Timestamp: ts, Source: []byte(`{"message":"m","event":{"id":"` + id + `"}}`)}
	require.NoError(t, w.backend.Write(t.Context(), search.IndexName(key, ts, 7), []search.Doc{doc}))
	require.NoError(t, w.bucket.Put(t.Context(), storage.HourPrefix(key, "web", ts)+id+storage.ChunkSuffix, []byte("{}\n")))
}

func (w *world) hits(t *testing.T, key string) int64 {
	now := w.clock()
	res, err := w.backend.Search(t.Context(), search.Request{Tenant: key, Limit: 10, From: now.Add(-24 * time.Hour), To: now.Add(24 * time.Hour)})
	require.NoError(t, err)
	return res.Total
}

func (w *world) objects(t *testing.T, key string) int {
	n := 0
	for _, err := range w.bucket.List(t.Context(), key+"/") {
		require.NoError(t, err)
		n++
	}
	return n
}

func (w *world) purgers(reg prometheus.Registerer) (*bookkeeper.Purger, *bookkeeper.Purger) {
	cfg := bookkeeper.PurgeConfig{Interval: time.Minute, Grace: time.Hour}
	return bookkeeper.NewPurger(cfg, w.cat, tenant.PurgeSearch, w.backend.DropTenant, nil, reg, w.clock),
		bookkeeper.NewPurger(cfg, w.cat, tenant.PurgeArchive, func(ctx context.Context, key string) (int, error) {
			return storage.DropTenant(ctx, w.bucket, key)
		}, nil, nil, w.clock)
}

func (w *world) audits(t *testing.T, action string) []tenant.AuditEntry {
	es, _, err := w.cat.ListAudit(t.Context(), tenant.AuditFilter{Action: action}, tenant.Page{})
	require.NoError(t, err)
	return es
}

// TestPurgeDeletedTenant walks a deletion and a re-creation: the old tenant's indices and
// archive go at the first pass, what was still in flight within the grace goes at a later
// one, the tenant made again with the same id and its neighbours keep everything.
func TestPurgeDeletedTenant(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	old, neighbour := w.tenant(t, "globex"), w.tenant(t, "globex-corp")
	w.store(t, old.Key, "old-1")
	w.store(t, neighbour.Key, "corp-1")
	require.NoError(t, w.cat.DeleteTenant(ctx, cli, "globex"))
	again := w.tenant(t, "globex")
	w.store(t, again.Key, "new-1")

	reg := prometheus.NewPedanticRegistry()
	searchPurger, archivePurger := w.purgers(reg)
	require.NoError(t, searchPurger.Pass(ctx))
	require.NoError(t, archivePurger.Pass(ctx))
	require.Zero(t, w.hits(t, old.Key))
	require.Zero(t, w.objects(t, old.Key))
	require.EqualValues(t, 1, w.hits(t, again.Key), "the tenant made again keeps its own")
	require.Equal(t, 1, w.objects(t, again.Key))
	require.EqualValues(t, 1, w.hits(t, neighbour.Key))
	require.Equal(t, 1, w.objects(t, neighbour.Key))
	purges := w.audits(t, "tenant.purge")
	require.Len(t, purges, 2, "one per part")
	for _, e := range purges {
		require.Equal(t, "globex", e.TenantID)
		require.Equal(t, old.Key, e.Target)
		require.Equal(t, "1", e.Details["removed"])
		require.Equal(t, "system", e.Actor.Kind)
	}
	require.Equal(t, 1.0, metric(t, reg, "trolly_bookkeeper_purged_items_total"))
	require.Equal(t, 1.0, metric(t, reg, "trolly_bookkeeper_purges_pending"), "within the grace, the tombstone stays")

	// An event of the old tenant that was in flight is written after the first pass.
	w.store(t, old.Key, "old-2")
	w.advance(time.Hour)
	require.NoError(t, searchPurger.Pass(ctx))
	require.NoError(t, archivePurger.Pass(ctx))
	require.Zero(t, w.hits(t, old.Key))
	require.Zero(t, w.objects(t, old.Key))
	require.Len(t, w.audits(t, "tenant.purge"), 4)
	done := w.audits(t, "tenant.purged")
	require.Len(t, done, 2, "past the grace, each part is marked purged")
	for _, part := range []string{tenant.PurgeSearch, tenant.PurgeArchive} {
		ts, err := w.cat.Tombstones(ctx, part)
		require.NoError(t, err)
		require.Empty(t, ts, part)
	}
	require.Equal(t, 0.0, metric(t, reg, "trolly_bookkeeper_purges_pending"))
	require.EqualValues(t, 1, w.hits(t, again.Key))
	require.EqualValues(t, 1, w.hits(t, neighbour.Key))
}

// A tenant whose data cannot be removed is tried again at the next pass, and does not hold
// the purge of the others.
func TestPurgeFailureIsolated(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	a, b := w.tenant(t, "a"), w.tenant(t, "b")
	w.store(t, a.Key, "a-1")
	w.store(t, b.Key, "b-1")
	require.NoError(t, w.cat.DeleteTenant(ctx, cli, "a"))
	require.NoError(t, w.cat.DeleteTenant(ctx, cli, "b"))
	w.advance(2 * time.Hour)
	broken := errors.New("disk says no")
	fail := true
	reg := prometheus.NewPedanticRegistry()
	p := bookkeeper.NewPurger(bookkeeper.PurgeConfig{}, w.cat, tenant.PurgeSearch, func(ctx context.Context, key string) (int, error) {
		if key == a.Key && fail {
			return 0, broken
		}
		return w.backend.DropTenant(ctx, key)
	}, nil, reg, w.clock)
	require.ErrorContains(t, p.Pass(ctx), "1 of 2 deleted tenants not purged")
	require.EqualValues(t, 1, w.hits(t, a.Key))
	require.Zero(t, w.hits(t, b.Key))
	require.Equal(t, 1.0, metric(t, reg, "trolly_bookkeeper_purge_failures_total"))
	ts, err := w.cat.Tombstones(ctx, tenant.PurgeSearch)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	require.Equal(t, a.Key, ts[0].Key)

	fail = false
	require.NoError(t, p.Pass(ctx))
	require.Zero(t, w.hits(t, a.Key))
	ts, err = w.cat.Tombstones(ctx, tenant.PurgeSearch)
	require.NoError(t, err)
	require.Empty(t, ts)
}

func TestPurgeConfig(t *testing.T) {
	var c bookkeeper.PurgeConfig
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, bookkeeper.DefaultPurgeGrace, c.Grace)
	c.Interval, c.Grace = -1, -1
	err := c.Validate()
	require.ErrorContains(t, err, "interval: must be > 0")
	require.ErrorContains(t, err, "grace: must be >= 0")
}

func metric(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
