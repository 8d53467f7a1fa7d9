package catalogtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// test is one subtest, run against its own catalog.
type test struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// Run runs the conformance suite against the catalogs open returns.
func Run(t *testing.T, open func(t *testing.T, now func() time.Time) tenant.Catalog) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Plans", planTests()},
		{"Tenants", tenantTests()},
		{"Tombstones", tombstoneTests()},
		{"Users", userTests()},
		{"Streams", streamTests()},
		{"Keys", keyTests()},
		{"Certificates", certTests()},
		{"Sessions", sessionTests()},
		{"SigningKeys", signingKeyTests()},
		{"Audit", auditTests()},
		{"Snapshot", snapshotTests()},
		{"Pages", pageTests()},
		{"Isolation", isolationTests()},
		{"Concurrency", concurrencyTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					clock := newFakeClock()
					tc.run(t, &fixture{t: t, ctx: context.Background(), c: open(t, clock.Now), clock: clock})
				})
			}
		})
	}
}

// fakeClock starts in a zone other than UTC and with nanoseconds, so that the suite sees
// the store return UTC at microsecond precision.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 4, 5, 6, 7, 8, 123456789, time.FixedZone("CEST", 2*3600))}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is one subtest's catalog, clock and helpers.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	c     tenant.Catalog
	clock *fakeClock
}

// actor makes every change of the suite, so that audit entries can be checked.
var actor = tenant.Actor{Kind: "user", ID: "01J0000000000000000000ACTR", Name: "op@example.com", Address: "192.0.2.7"}

// passwordParams keep hashing cheap in tests.
var passwordParams = tenant.PasswordParams{Memory: 64, Time: 1, Threads: 1}

// now is the clock's time as a store keeps it.
func (f *fixture) now() time.Time { return stored(f.clock.Now()) }

// stored is t as a store returns it: UTC, microseconds.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Truncate(time.Microsecond).UTC()
}

// requireTime checks that got is want as stored, and in UTC.
func requireTime(t *testing.T, want, got time.Time, msgAndArgs ...any) {
	t.Helper()
	if want.IsZero() {
		require.True(t, got.IsZero(), append([]any{"want a zero time, got %v", got}, msgAndArgs...)...)
		return
	}
	require.Equal(t, time.UTC, got.Location(), msgAndArgs...)
	require.True(t, stored(want).Equal(got), append([]any{"want %v, got %v", stored(want), got}, msgAndArgs...)...)
}

// requireInvalid checks that err is a validation error naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, tenant.ErrInvalid)
	require.Equal(t, field, tenant.FieldOf(err), "the field named by %v", err)
}

func (f *fixture) plan(id string, l tenant.Limits) tenant.Plan {
	f.t.Helper()
	p, err := f.c.CreatePlan(f.ctx, actor, tenant.Plan{ID: id, Name: "Plan " + id, Limits: l})
	require.NoError(f.t, err)
	return p
}

func (f *fixture) tenant(id, planID string) tenant.Tenant {
	f.t.Helper()
	tn, err := f.c.CreateTenant(f.ctx, actor, tenant.Tenant{ID: id, Name: "Tenant " + id, PlanID: planID})
	require.NoError(f.t, err)
	return tn
}

// tenantWithPlan makes a plan and a tenant on it, both named id.
func (f *fixture) tenantWithPlan(id string, l tenant.Limits) tenant.Tenant {
	f.t.Helper()
	f.plan(id, l)
	return f.tenant(id, id)
}

func (f *fixture) user(tenantID, email string, role tenant.Role) tenant.User {
	f.t.Helper()
	u, err := f.c.CreateUser(f.ctx, actor, tenant.User{TenantID: tenantID, Email: email, Name: "Name of " + email,
		Role: role, PasswordHash: tenant.HashPassword("correct horse", passwordParams)})
	require.NoError(f.t, err)
	return u
}

func (f *fixture) stream(tenantID, name string) tenant.Stream {
	f.t.Helper()
	s, err := f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: tenantID, Name: name, SourceType: "json",
		Parser: []byte(`{"fields":["a","b"]}`), Labels: map[string]string{"env": "prod"}})
	require.NoError(f.t, err)
	return s
}

func (f *fixture) key(tenantID, name string) tenant.APIKey {
	f.t.Helper()
	_, secret := tenant.NewKeySecret()
	k, err := f.c.CreateKey(f.ctx, actor, tenant.APIKey{TenantID: tenantID, Name: name,
		Scopes: []tenant.Scope{tenant.ScopeIngest, tenant.ScopeRead}, Hash: tenant.HashKey(secret)})
	require.NoError(f.t, err)
	return k
}

func (f *fixture) session(userID, family string) tenant.Session {
	f.t.Helper()
	_, hash := tenant.NewToken()
	s := tenant.Session{ID: newID(), UserID: userID, Family: family, Hash: hash, Address: "198.51.100.1",
		ExpiresAt: f.clock.Now().Add(24 * time.Hour), CreatedAt: f.clock.Now()}
	require.NoError(f.t, f.c.CreateSession(f.ctx, s))
	return s
}

func (f *fixture) version() int64 {
	f.t.Helper()
	v, err := f.c.Version(f.ctx)
	require.NoError(f.t, err)
	return v
}

// audits returns the entries of one action, newest first.
func (f *fixture) audits(action string) []tenant.AuditEntry {
	f.t.Helper()
	es, _, err := f.c.ListAudit(f.ctx, tenant.AuditFilter{Action: action}, tenant.Page{Size: 1000})
	require.NoError(f.t, err)
	return es
}

// requireAudited checks that the newest entry of action is the suite's actor's, for
// tenantID and target, at the clock's time.
func (f *fixture) requireAudited(action, tenantID, target string) tenant.AuditEntry {
	f.t.Helper()
	es := f.audits(action)
	require.NotEmpty(f.t, es, "no %s entry", action)
	e := es[0]
	require.NotEmpty(f.t, e.ID)
	require.Equal(f.t, action, e.Action)
	require.Equal(f.t, actor, e.Actor)
	require.Equal(f.t, tenantID, e.TenantID, "tenant of %s", action)
	require.Equal(f.t, target, e.Target, "target of %s", action)
	requireTime(f.t, f.clock.Now(), e.At, "time of %s", action)
	return e
}

// newID makes a caller-made id, as the auth package does for sessions.
func newID() string { return ulid.Make().String() }
