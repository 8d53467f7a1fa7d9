package auth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// cheap are argon2 costs for tests.
var cheap = tenant.PasswordParams{Memory: 64, Time: 1, Threads: 1}

const password = "correct horse battery"

// fakeDirectory stands in for tenant.Cache: it maps API key secrets to principals.
type fakeDirectory struct {
	mu   sync.Mutex
	keys map[string]tenant.Principal
	err  error // returned by every call when set
}

func (d *fakeDirectory) Authenticate(_ context.Context, secret string) (tenant.Principal, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return tenant.Principal{}, d.err
	}
	p, ok := d.keys[secret]
	if !ok {
		return tenant.Principal{}, tenant.ErrUnauthenticated
	}
	return p, nil
}

func (d *fakeDirectory) ClientCert(context.Context, string) (tenant.ClientCert, error) {
	return tenant.ClientCert{}, tenant.ErrNotFound
}

func (d *fakeDirectory) ClientCAs(context.Context) (*x509.CertPool, error) {
	return x509.NewCertPool(), nil
}

func (d *fakeDirectory) Tenant(context.Context, string) (tenant.Tenant, error) {
	return tenant.Tenant{}, tenant.ErrNotFound
}

func (d *fakeDirectory) Stream(context.Context, string, string) (tenant.Stream, error) {
	return tenant.Stream{}, tenant.ErrNotFound
}

// env is a service over a real catalog, on a fake clock.
type env struct {
	svc   *Service
	cat   tenant.Catalog
	dir   *fakeDirectory
	clock *fakeClock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := &fakeClock{t: t0}
	e := &env{cat: openCatalog(t, clock.Now), dir: &fakeDirectory{keys: map[string]tenant.Principal{}}, clock: clock}
	e.svc = e.service()
	ctx := context.Background()
	_, err := e.cat.CreatePlan(ctx, tenant.Actor{Kind: "cli"}, tenant.Plan{ID: "basic", Name: "Basic"})
	require.NoError(t, err)
	for _, id := range []string{"acme", "globex"} {
		_, err = e.cat.CreateTenant(ctx, tenant.Actor{Kind: "cli"}, tenant.Tenant{ID: id, Name: id, PlanID: "basic"})
		require.NoError(t, err)
	}
	return e
}

// service returns another service over the same catalog, as another process would run.
func (e *env) service() *Service {
	return New(Config{Password: cheap}, e.cat, e.dir, nil, nil, e.clock.Now)
}

func (e *env) addUser(t *testing.T, tenantID, email string, role tenant.Role) tenant.User {
	t.Helper()
	u, err := e.cat.CreateUser(context.Background(), tenant.Actor{Kind: "cli"}, tenant.User{
		TenantID: tenantID, Email: email, Role: role, PasswordHash: tenant.HashPassword(password, cheap),
	})
	require.NoError(t, err)
	return u
}

func (e *env) audit(t *testing.T, action string) []tenant.AuditEntry {
	t.Helper()
	entries, _, err := e.cat.ListAudit(context.Background(), tenant.AuditFilter{Action: action}, tenant.Page{})
	require.NoError(t, err)
	return entries
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	member := e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	op := e.addUser(t, "", "root@example.com", tenant.RoleOperator)

	tests := []struct {
		name, email string
		want        tenant.Principal
	}{
		{"member", "ann@example.com", tenant.Principal{TenantID: "acme", UserID: member.ID, Role: tenant.RoleMember}},
		{"email in another case", "Ann@Example.com", tenant.Principal{TenantID: "acme", UserID: member.ID, Role: tenant.RoleMember}},
		{"operator", "root@example.com", tenant.Principal{UserID: op.ID, Role: tenant.RoleOperator}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := e.svc.Login(ctx, tc.email, password, "192.0.2.1")
			require.NoError(t, err)
			require.Equal(t, tc.want, tok.Principal)
			require.Equal(t, t0.Add(15*time.Minute), tok.AccessExpiresAt)
			require.Equal(t, t0.Add(720*time.Hour), tok.RefreshExpiresAt)
			require.NotEmpty(t, tok.RefreshToken)

			got, err := e.svc.Authenticate(ctx, tok.AccessToken)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)

			sess, err := e.cat.SessionByHash(ctx, tenant.HashToken(tok.RefreshToken))
			require.NoError(t, err)
			require.Equal(t, tc.want.UserID, sess.UserID)
			require.Equal(t, "192.0.2.1", sess.Address)
			require.NotEmpty(t, sess.Family)
		})
	}
	logins := e.audit(t, "auth.login")
	require.Len(t, logins, 3)
	require.Equal(t, tenant.Actor{Kind: "user", ID: op.ID, Name: "root@example.com", Address: "192.0.2.1"}, logins[0].Actor)
	require.Equal(t, "acme", logins[1].TenantID)
}

func TestLoginRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	off := e.addUser(t, "acme", "off@example.com", tenant.RoleAdmin)
	off.Disabled = true
	_, err := e.cat.UpdateUser(ctx, tenant.Actor{Kind: "cli"}, off)
	require.NoError(t, err)

	tests := []struct {
		name, email, password, reason string
	}{
		{"wrong password", "ann@example.com", "wrong", "password"},
		{"empty password", "ann@example.com", "", "password"},
		{"unknown email", "Nobody@Example.com", password, "unknown"},
		{"not an email", "nobody", password, "unknown"},
		{"disabled user", "off@example.com", password, "disabled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Login(ctx, tc.email, tc.password, "192.0.2.1")
			require.Equal(t, tenant.ErrUnauthenticated, err, "the same answer whatever the reason")
			failed := e.audit(t, "auth.login_failed")
			require.NotEmpty(t, failed)
			require.Equal(t, strings.ToLower(tc.email), failed[0].Target)
			require.Equal(t, tc.reason, failed[0].Details["reason"])
			require.Equal(t, "192.0.2.1", failed[0].Actor.Address)
		})
	}
	require.Empty(t, e.audit(t, "auth.login"))
	_, err = tenant.CheckPassword(e.svc.dummyPH, password)
	require.NoError(t, err, "unknown emails cost a real password check")
}

func TestLoginLimits(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	e.addUser(t, "globex", "bob@example.com", tenant.RoleMember)
	for i := range 21 {
		e.addUser(t, "globex", fmt.Sprintf("user%02d@example.com", i), tenant.RoleMember)
	}

	for range 3 {
		_, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
		require.NoError(t, err, "successes do not count")
	}
	for range 5 {
		_, err := e.svc.Login(ctx, "ann@example.com", "wrong", "192.0.2.1")
		require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	}
	_, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	var limited *LimitedError
	require.ErrorAs(t, err, &limited, "the right password from the failing address while limited")
	require.ErrorIs(t, err, ErrLimited)
	require.Equal(t, 3*time.Minute, limited.RetryAfter)
	_, err = e.svc.Login(ctx, "ANN@example.com", password, "192.0.2.2")
	require.NoError(t, err, "failures elsewhere do not lock the owner out")
	_, err = e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1:5555")
	require.ErrorIs(t, err, ErrLimited, "the failing address stays limited")

	_, err = e.svc.Login(ctx, "bob@example.com", password, "192.0.2.3")
	require.NoError(t, err, "another account from another address is unaffected")

	e.clock.Advance(limited.RetryAfter)
	_, err = e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err, "after RetryAfter")

	// One address trying many accounts, each once, from changing ports.
	for i := range 20 {
		_, err := e.svc.Login(ctx, fmt.Sprintf("user%02d@example.com", i), "wrong", fmt.Sprintf("198.51.100.7:%d", 4000+i))
		require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	}
	_, err = e.svc.Login(ctx, "user20@example.com", password, "198.51.100.7")
	require.ErrorIs(t, err, ErrLimited, "the address is limited, whatever the account")
	_, err = e.svc.Login(ctx, "user20@example.com", password, "203.0.113.9")
	require.NoError(t, err, "the account from another address is unaffected")
}

func TestAuthenticateAPIKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, secret := tenant.NewKeySecret()
	want := tenant.Principal{TenantID: "acme", KeyID: "k1", Scopes: []tenant.Scope{tenant.ScopeIngest}, KeyName: "shipper"}
	e.dir.keys[secret] = want

	got, err := e.svc.Authenticate(ctx, secret)
	require.NoError(t, err)
	require.Equal(t, want, got)

	for _, bad := range []string{"", "trl_unknown", strings.Repeat("x", maxBearer+1)} {
		_, err = e.svc.Authenticate(ctx, bad)
		require.ErrorIs(t, err, tenant.ErrUnauthenticated, bad)
	}

	down := errors.New("directory down")
	e.dir.err = down
	_, err = e.svc.Authenticate(ctx, secret)
	require.ErrorIs(t, err, down, "an unavailable directory is not a refused key")
}
