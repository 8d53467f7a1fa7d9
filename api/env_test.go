package api

import (
	"context"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/internal/pgtest"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/pki"
	"github.com/trolly-logs/trolly/tenant/postgres"
	"github.com/trolly-logs/trolly/tenant/sqlite"
)

// cheap are argon2 costs that keep the tests fast.
var cheap = tenant.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// stores opens each catalog backend the tests run on: SQLite always, PostgreSQL when it
// is reachable (always in CI).
func stores() map[string]func(t *testing.T) tenant.Catalog {
	return map[string]func(t *testing.T) tenant.Catalog{
		"sqlite": func(t *testing.T) tenant.Catalog {
			cat, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"), tenant.StoreOptions{})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, cat.Close()) })
			return cat
		},
		"postgres": func(t *testing.T) tenant.Catalog {
			cat, err := postgres.Open(context.Background(), pgtest.NewDatabase(t, ""), tenant.StoreOptions{})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, cat.Close()) })
			return cat
		},
	}
}

// clock is a settable clock for the auth service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is the API served on a free port over a real catalog, with clients of both kinds.
type env struct {
	cat   tenant.Catalog
	cache *tenant.Cache
	auth  *auth.Service
	clock *clock
	rest  string
	conn  *grpc.ClientConn
	// hub serves the live tails; tests publish to it as the indexer does.
	hub *search.Hub
	// stopServe stops the server, once, and returns what Serve returned.
	stopServe func() error
}

// stop stops the server as its process's shutdown does.
func (e *env) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, e.stopServe())
}

// newEnv serves the API over cat. backend nil is an empty search index.
func newEnv(t *testing.T, cat tenant.Catalog, backend search.Backend) *env {
	t.Helper()
	return newEnvWith(t, cat, backend, nil, nil)
}

// newEnvWith is newEnv with the API's and the auth service's configuration changed by
// apiCfg and authCfg, when not nil.
func newEnvWith(t *testing.T, cat tenant.Catalog, backend search.Backend, apiCfg func(*Config), authCfg func(*auth.Config)) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	if backend == nil {
		backend = openSearch(t)
	}
	e := &env{cat: cat, clock: &clock{t: time.Now()}}
	e.cache = tenant.NewCache(cat, log, e.clock.now)
	require.NoError(t, e.cache.Refresh(context.Background()))
	ac := auth.Config{Password: cheap, LoginFailuresPerAccount: 3}
	if authCfg != nil {
		authCfg(&ac)
	}
	e.auth = auth.New(ac, cat, e.cache, log, nil, e.clock.now)
	var c Config
	c.ApplyDefaults()
	c.PasswordParams = cheap
	if apiCfg != nil {
		apiCfg(&c)
	}
	hub, err := search.NewHub(c.Tail, nil)
	require.NoError(t, err)
	t.Cleanup(hub.Close)
	e.hub = hub
	srv, err := New(c, Deps{Catalog: cat, Directory: e.cache, Auth: e.auth, Backend: backend, Tails: hub}, log, nil)
	require.NoError(t, err)
	e.serve(t, srv)
	return e
}

// serve runs srv on a free port until the test ends.
func (e *env) serve(t *testing.T, srv *Server) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	var serveErr error
	e.stopServe = func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
		})
		return serveErr
	}
	t.Cleanup(func() { require.NoError(t, e.stopServe()) })
	e.conn, err = grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { e.conn.Close() })
	e.rest = "http://" + ln.Addr().String()
}

// as returns a context carrying bearer as the call's credential.
func as(bearer string) context.Context {
	ctx := context.Background()
	if bearer == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+bearer)
}

// login signs in over gRPC and returns the access token.
func (e *env) login(t *testing.T, email, password string) *trollyv1.LoginResponse {
	t.Helper()
	resp, err := trollyv1.NewAuthServiceClient(e.conn).Login(context.Background(), &trollyv1.LoginRequest{Email: email, Password: password})
	require.NoError(t, err, "login %s", email)
	return resp
}

// system is the actor of fixture changes.
var system = tenant.Actor{Kind: "system"}

// addUser stores a user with password "password-"+email.
func addUser(t *testing.T, cat tenant.Catalog, tenantID, email string, role tenant.Role) tenant.User {
	t.Helper()
	u, err := cat.CreateUser(context.Background(), system, tenant.User{
		TenantID: tenantID, Email: email, Name: email, Role: role, PasswordHash: tenant.HashPassword("password-"+email, cheap),
	})
	require.NoError(t, err)
	return u
}

// addKey stores a key and returns it with its secret.
// addCert issues a certificate of the catalog's authority and records it.
func addCert(t *testing.T, cat tenant.Catalog, tenantID, name string) tenant.ClientCert {
	t.Helper()
	ctx := context.Background()
	ca, err := pki.Ensure(ctx, cat, time.Now())
	require.NoError(t, err)
	tn, err := cat.GetTenant(ctx, tenantID)
	require.NoError(t, err)
	is, err := ca.Issue(tn, name, time.Now(), time.Time{})
	require.NoError(t, err)
	c, err := cat.CreateCert(ctx, system, is.Cert)
	require.NoError(t, err)
	return c
}

func addKey(t *testing.T, cat tenant.Catalog, tenantID, name string, scopes ...tenant.Scope) (tenant.APIKey, string) {
	t.Helper()
	id, secret := tenant.NewKeySecret()
	k, err := cat.CreateKey(context.Background(), system, tenant.APIKey{ID: id, TenantID: tenantID, Name: name, Scopes: scopes, Hash: tenant.HashKey(secret)})
	require.NoError(t, err)
	return k, secret
}
