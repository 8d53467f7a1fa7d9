package tenant_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/pki"
	catalogsqlite "github.com/trolly-logs/trolly/tenant/sqlite"
)

var cli = tenant.Actor{Kind: "cli"}

func openCatalog(t *testing.T) tenant.Catalog {
	t.Helper()
	cat, err := catalogsqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { cat.Close() })
	return cat
}

// seed makes tenant acme with a stream and returns the secret of a new ingest key.
func seed(t testing.TB, cat tenant.Catalog) (keyID, secret string) {
	t.Helper()
	ctx := context.Background()
	_, err := cat.CreatePlan(ctx, cli, tenant.Plan{ID: "small", Name: "Small", Limits: tenant.Limits{MaxLineBytes: 1000}})
	require.NoError(t, err)
	_, err = cat.CreateTenant(ctx, cli, tenant.Tenant{ID: "acme", Name: "ACME", PlanID: "small"})
	require.NoError(t, err)
	_, err = cat.CreateStream(ctx, cli, tenant.Stream{TenantID: "acme", Name: "web", SourceType: "nginx_access"})
	require.NoError(t, err)
	keyID, secret = tenant.NewKeySecret()
	_, err = cat.CreateKey(ctx, cli, tenant.APIKey{ID: keyID, TenantID: "acme", Name: "ship", Scopes: []tenant.Scope{tenant.ScopeIngest}, Hash: tenant.HashKey(secret)})
	require.NoError(t, err)
	return keyID, secret
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	cat := openCatalog(t)
	keyID, secret := seed(t, cat)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	c := tenant.NewCache(cat, slog.New(slog.DiscardHandler), func() time.Time { return now })

	_, err := c.Authenticate(ctx, secret)
	require.ErrorIs(t, err, tenant.ErrNotLoaded, "an unloaded cache refuses rather than answering from nothing")
	require.NoError(t, c.Refresh(ctx))

	p, err := c.Authenticate(ctx, secret)
	require.NoError(t, err)
	require.Equal(t, tenant.Principal{TenantID: "acme", KeyID: keyID, Scopes: []tenant.Scope{tenant.ScopeIngest}, KeyName: "ship"}, p)
	_, err = c.Authenticate(ctx, secret+"x")
	require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	tn, err := c.Tenant(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, int64(1000), tn.Limits.MaxLineBytes, "tenants carry their plan's limits")
	st, err := c.Stream(ctx, "acme", "web")
	require.NoError(t, err)
	require.Equal(t, "nginx_access", st.SourceType)
	_, err = c.Stream(ctx, "acme-corp", "web")
	require.ErrorIs(t, err, tenant.ErrNotFound)

	var changes atomic.Int32
	c.OnChange(func(tenant.Snapshot) { changes.Add(1) })
	require.NoError(t, c.Refresh(ctx))
	require.Zero(t, changes.Load(), "an unchanged catalog is not loaded again")

	require.NoError(t, cat.RevokeKey(ctx, cli, "acme", keyID))
	require.NoError(t, c.Refresh(ctx))
	require.Equal(t, int32(1), changes.Load())
	_, err = c.Authenticate(ctx, secret)
	require.ErrorIs(t, err, tenant.ErrUnauthenticated, "a revoked key stops working at the next refresh")
}

func TestCacheExpiryAndUsage(t *testing.T) {
	ctx := context.Background()
	cat := openCatalog(t)
	_, _ = seed(t, cat)
	now := time.Now().UTC()
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	id, secret := tenant.NewKeySecret()
	_, err := cat.CreateKey(ctx, cli, tenant.APIKey{ID: id, TenantID: "acme", Name: "brief", Scopes: []tenant.Scope{tenant.ScopeRead},
		Hash: tenant.HashKey(secret), ExpiresAt: now.Add(time.Hour)})
	require.NoError(t, err)
	c := tenant.NewCache(cat, slog.New(slog.DiscardHandler), func() time.Time { return *clock.Load() })
	require.NoError(t, c.Refresh(ctx))
	_, err = c.Authenticate(ctx, secret)
	require.NoError(t, err)

	// Run records the use when it stops.
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx, time.Hour) }()
	cancel()
	require.NoError(t, <-done)
	k, err := cat.GetKey(ctx, "acme", id)
	require.NoError(t, err)
	require.WithinDuration(t, now, k.LastUsedAt, time.Millisecond)

	later := now.Add(2 * time.Hour)
	clock.Store(&later)
	_, err = c.Authenticate(ctx, secret)
	require.ErrorIs(t, err, tenant.ErrUnauthenticated, "an expired key is refused without a reload")
}

// BenchmarkCacheAuthenticate is the cost the gateway pays per request to resolve a key.
func BenchmarkCacheAuthenticate(b *testing.B) {
	ctx := context.Background()
	cat, err := catalogsqlite.Open(ctx, filepath.Join(b.TempDir(), "catalog.db"), tenant.StoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	_, secret := seed(b, cat)
	c := tenant.NewCache(cat, slog.New(slog.DiscardHandler), time.Now)
	if err := c.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Authenticate(ctx, secret); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCacheCertificates(t *testing.T) {
	ctx := context.Background()
	cat := openCatalog(t)
	seed(t, cat)
	c := tenant.NewCache(cat, slog.New(slog.DiscardHandler), nil)
	require.NoError(t, c.Refresh(ctx))
	pool, err := c.ClientCAs(ctx)
	require.NoError(t, err)
	require.True(t, pool.Equal(x509.NewCertPool()), "no authority yet: the pool trusts nothing")
	_, err = c.ClientCert(ctx, strings.Repeat("ab", 32))
	require.ErrorIs(t, err, tenant.ErrNotFound)

	ca, err := pki.Ensure(ctx, cat, time.Now())
	require.NoError(t, err)
	tn, err := cat.GetTenant(ctx, "acme")
	require.NoError(t, err)
	is, err := ca.Issue(tn, "host", time.Now(), time.Time{})
	require.NoError(t, err)
	rec, err := cat.CreateCert(ctx, cli, is.Cert)
	require.NoError(t, err)
	require.NoError(t, c.Refresh(ctx))

	got, err := c.ClientCert(ctx, rec.Fingerprint)
	require.NoError(t, err)
	require.Equal(t, rec, got)
	block, _ := pem.Decode(is.CertPEM)
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	pool, err = c.ClientCAs(ctx)
	require.NoError(t, err)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err, "the pool trusts what the authority issued")

	require.NoError(t, cat.RevokeCert(ctx, cli, "acme", rec.ID))
	require.NoError(t, c.Refresh(ctx))
	got, err = c.ClientCert(ctx, rec.Fingerprint)
	require.NoError(t, err)
	require.False(t, got.Active(time.Now()), "a revoked certificate is served marked, so that a refusal says why")
}

// TestCacheUsers: the cache knows users, without their password hashes, and forgets a
// deleted one at the next refresh.
func TestCacheUsers(t *testing.T) {
	ctx := context.Background()
	cat := openCatalog(t)
	seed(t, cat)
	c := tenant.NewCache(cat, slog.New(slog.DiscardHandler), nil)
	_, err := c.User(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV")
	require.ErrorIs(t, err, tenant.ErrNotLoaded)
	u, err := cat.CreateUser(ctx, cli, tenant.User{TenantID: "acme", Email: "ann@example.com", Role: tenant.RoleAdmin,
		PasswordHash: tenant.HashPassword("correct horse", tenant.PasswordParams{Memory: 64, Time: 1, Threads: 1})})
	require.NoError(t, err)
	require.NoError(t, c.Refresh(ctx))
	got, err := c.User(ctx, u.ID)
	require.NoError(t, err)
	u.PasswordHash = ""
	require.Equal(t, u, got)

	require.NoError(t, cat.DeleteUser(ctx, cli, "acme", u.ID))
	require.NoError(t, c.Refresh(ctx))
	_, err = c.User(ctx, u.ID)
	require.ErrorIs(t, err, tenant.ErrNotFound)
}
