package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
	catalogsqlite "github.com/trolly-logs/trolly/tenant/sqlite"
)

// A batch carries the key its tenant had when the credential was checked, so that the
// sinks can tell a tenant made again from the one that sent it.
func TestBatchCarriesTenantKey(t *testing.T) {
	ctx := context.Background()
	cat, err := catalogsqlite.Open(ctx, filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { cat.Close() })
	cli := tenant.Actor{Kind: "cli"}
	_, err = cat.CreatePlan(ctx, cli, tenant.Plan{ID: "p", Name: "P"})
	require.NoError(t, err)
	cache := tenant.NewCache(cat, slog.New(slog.DiscardHandler), nil)
	makeGlobex := func() tenant.Tenant {
		tn, err := cat.CreateTenant(ctx, cli, tenant.Tenant{ID: "globex", Name: "Globex", PlanID: "p"})
		require.NoError(t, err)
		_, err = cat.CreateStream(ctx, cli, tenant.Stream{TenantID: "globex", Name: "web", SourceType: "text"})
		require.NoError(t, err)
		_, err = cat.CreateKey(ctx, cli, tenant.APIKey{TenantID: "globex", Name: "in", Scopes: []tenant.Scope{tenant.ScopeIngest},
			Hash: tenant.HashKey("globex-in")})
		require.NoError(t, err)
		require.NoError(t, cache.Refresh(ctx))
		return tn
	}
	first := makeGlobex()
	var cfg Config
	cfg.ApplyDefaults()
	f := fixtureOn(t, cache, 0, cfg)
	send := func() string {
		w := f.post(t, request{stream: "web", key: "globex-in", body: []byte("a line\n")})
		require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
		got := f.received(t)
		require.Len(t, got, 1)
		require.Equal(t, "globex", got[0].GetTenantId())
		return got[0].GetTenantKey()
	}
	require.Equal(t, first.Key, send())

	require.NoError(t, cat.DeleteTenant(ctx, cli, "globex"))
	require.NoError(t, cache.Refresh(ctx))
	w := f.post(t, request{stream: "web", key: "globex-in", body: []byte("after delete\n")})
	require.Equal(t, http.StatusUnauthorized, w.Code, "the deleted tenant's key is gone")
	again := makeGlobex()
	require.NotEqual(t, first.Key, again.Key)
	require.Equal(t, again.Key, send())
}
