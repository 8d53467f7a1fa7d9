package catalogtest

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func snapshotTests() []test {
	return []test{
		{"Contents", testSnapshot},
		{"Version", testVersion},
		{"Closed", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			require.NoError(t, f.c.Close())
			ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
			defer cancel()
			_, err := f.c.GetTenant(ctx, "acme")
			require.Error(t, err, "a closed store")
			_, err = f.c.CreatePlan(ctx, actor, tenant.Plan{ID: "p2", Name: "P2"})
			require.Error(t, err)
			_, err = f.c.Snapshot(ctx)
			require.Error(t, err)
		}},
	}
}

func testSnapshot(t *testing.T, f *fixture) {
	small := f.plan("small", tenant.Limits{MaxStreams: 3})
	big := f.plan("big", tenant.Limits{MaxStreams: 30, IngestBytesPerSecond: 5 << 20})
	f.tenant("acme", "small")
	f.tenant("beta", "big")
	web := f.stream("acme", "web")
	f.stream("beta", "app")
	live := f.key("acme", "live")
	revoked := f.key("acme", "revoked")
	require.NoError(t, f.c.RevokeKey(f.ctx, actor, "acme", revoked.ID))
	expired, err := f.c.CreateKey(f.ctx, actor, tenant.APIKey{TenantID: "beta", Name: "expired",
		Scopes: []tenant.Scope{tenant.ScopeRead}, Hash: tenant.HashKey("old"), ExpiresAt: f.clock.Now().Add(-time.Hour)})
	require.NoError(t, err)
	ann := f.user("acme", "ann@example.com", tenant.RoleAdmin)
	op := f.user("", "op@example.com", tenant.RoleOperator)

	snap, err := f.c.Snapshot(f.ctx)
	require.NoError(t, err)
	require.Equal(t, f.version(), snap.Version)

	sort.Slice(snap.Tenants, func(i, j int) bool { return snap.Tenants[i].ID < snap.Tenants[j].ID })
	require.Len(t, snap.Tenants, 2)
	for i, p := range []tenant.Plan{small, big} {
		tn := snap.Tenants[i]
		require.Equal(t, p.ID, tn.PlanID)
		require.Equal(t, p.Limits, tn.Limits, "the plan's limits are filled in")
		require.Equal(t, p.Retention, tn.Retention)
		got, err := f.c.GetTenant(f.ctx, tn.ID)
		require.NoError(t, err)
		require.Equal(t, got, tn)
	}

	sort.Slice(snap.Streams, func(i, j int) bool { return snap.Streams[i].TenantID < snap.Streams[j].TenantID })
	require.Len(t, snap.Streams, 2)
	requireStream(t, web, snap.Streams[0])
	require.Equal(t, "beta", snap.Streams[1].TenantID)

	want := []tenant.APIKey{live, expired}
	for _, ks := range [][]tenant.APIKey{want, snap.Keys} {
		sort.Slice(ks, func(i, j int) bool { return ks[i].ID < ks[j].ID })
	}
	require.Equal(t, want, snap.Keys, "revoked keys are left out, expired ones kept")

	// Users come without their password hashes, operators too.
	sort.Slice(snap.Users, func(i, j int) bool { return snap.Users[i].Email < snap.Users[j].Email })
	ann.PasswordHash, op.PasswordHash = "", ""
	require.Equal(t, []tenant.User{ann, op}, snap.Users)
}

// testVersion walks through every kind of change; each advances the version, and what is
// no change of the catalog does not.
func testVersion(t *testing.T, f *fixture) {
	v := f.version()
	advances := func(what string, do func() error) {
		t.Helper()
		require.NoError(t, do(), what)
		next := f.version()
		require.Greater(t, next, v, what)
		v = next
	}
	keeps := func(what string, do func() error) {
		t.Helper()
		require.NoError(t, do(), what)
		require.Equal(t, v, f.version(), what)
	}
	ignore := func(_ any, err error) error { return err }
	var k tenant.APIKey
	var u tenant.User
	advances("plan", func() error { return ignore(f.c.CreatePlan(f.ctx, actor, tenant.Plan{ID: "p", Name: "P"})) })
	advances("plan update", func() error { return ignore(f.c.UpdatePlan(f.ctx, actor, tenant.Plan{ID: "p", Name: "P2"})) })
	advances("tenant", func() error {
		return ignore(f.c.CreateTenant(f.ctx, actor, tenant.Tenant{ID: "a", Name: "A", PlanID: "p"}))
	})
	advances("tenant update", func() error {
		return ignore(f.c.UpdateTenant(f.ctx, actor, tenant.Tenant{ID: "a", Name: "A2", PlanID: "p"}))
	})
	advances("stream", func() error { f.stream("a", "web"); return nil })
	advances("stream update", func() error {
		return ignore(f.c.UpdateStream(f.ctx, actor, tenant.Stream{TenantID: "a", Name: "web", SourceType: "x"}))
	})
	advances("key", func() error { k = f.key("a", "k"); return nil })
	keeps("touch", func() error { return f.c.TouchKeys(f.ctx, map[string]time.Time{k.ID: f.clock.Now()}) })
	advances("user", func() error { u = f.user("a", "ann@example.com", tenant.RoleAdmin); return nil })
	advances("user update", func() error {
		u.Disabled = true
		return ignore(f.c.UpdateUser(f.ctx, actor, u))
	})
	advances("user delete", func() error { return f.c.DeleteUser(f.ctx, actor, "a", u.ID) })
	u = f.user("a", "bob@example.com", tenant.RoleAdmin)
	v = f.version()
	keeps("session", func() error { f.session(u.ID, newID()); return nil })
	keeps("revoke sessions", func() error { return f.c.RevokeUserSessions(f.ctx, u.ID) })
	keeps("signing key", func() error { f.signingKey(time.Hour); return nil })
	keeps("audit", func() error { return f.c.Audit(f.ctx, tenant.AuditEntry{Actor: actor, Action: "auth.login"}) })
	advances("key revoke", func() error { return f.c.RevokeKey(f.ctx, actor, "a", k.ID) })
	advances("stream delete", func() error { return f.c.DeleteStream(f.ctx, actor, "a", "web") })
	advances("tenant delete", func() error { return f.c.DeleteTenant(f.ctx, actor, "a") })
	advances("plan delete", func() error { return f.c.DeletePlan(f.ctx, actor, "p") })
}
