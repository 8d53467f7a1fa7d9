package catalogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func tenantTests() []test {
	return []test{
		{"CreateGet", testTenantCreate},
		{"CreateInvalid", testTenantCreateInvalid},
		{"CreateConflicts", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			_, err := f.c.CreateTenant(f.ctx, actor, tenant.Tenant{ID: "acme", Name: "Again", PlanID: "acme"})
			require.ErrorIs(t, err, tenant.ErrConflict)
			_, err = f.c.CreateTenant(f.ctx, actor, tenant.Tenant{ID: "other", Name: "Other", PlanID: "nope"})
			require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown plan")
			_, err = f.c.GetTenant(f.ctx, "other")
			require.ErrorIs(t, err, tenant.ErrNotFound)
			require.Len(t, f.audits("tenant.create"), 1)
		}},
		{"Update", testTenantUpdate},
		{"UpdateRefused", testTenantUpdateRefused},
		{"Delete", testTenantDelete},
		{"ListOrder", func(t *testing.T, f *fixture) {
			f.plan("p", tenant.Limits{MaxStreams: 4})
			for _, id := range []string{"acme-corp", "zeta", "acme", "9lives"} {
				f.tenant(id, "p")
			}
			ts, next, err := f.c.ListTenants(f.ctx, tenant.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			var ids []string
			for _, tn := range ts {
				ids = append(ids, tn.ID)
				require.Equal(t, 4, tn.Limits.MaxStreams, "lists fill the plan's limits")
			}
			require.Equal(t, []string{"9lives", "acme", "acme-corp", "zeta"}, ids)
		}},
	}
}

func testTenantCreate(t *testing.T, f *fixture) {
	p := f.plan("gold", tenant.Limits{MaxStreams: 5})
	v := f.version()
	tn, err := f.c.CreateTenant(f.ctx, actor, tenant.Tenant{ID: "acme", Name: "ACME Inc.", PlanID: "gold", ManagedBy: "config"})
	require.NoError(t, err)
	require.Equal(t, "acme", tn.ID)
	require.Equal(t, "ACME Inc.", tn.Name)
	require.Equal(t, "gold", tn.PlanID)
	require.Equal(t, "config", tn.ManagedBy)
	require.Equal(t, p.Limits, tn.Limits)
	require.Equal(t, p.Retention, tn.Retention)
	requireTime(t, f.clock.Now(), tn.CreatedAt)
	requireTime(t, f.clock.Now(), tn.UpdatedAt)
	got, err := f.c.GetTenant(f.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, tn, got)
	f.requireAudited("tenant.create", "acme", "acme")
	require.Greater(t, f.version(), v)
	_, err = f.c.GetTenant(f.ctx, "acm")
	require.ErrorIs(t, err, tenant.ErrNotFound)
}

func testTenantCreateInvalid(t *testing.T, f *fixture) {
	f.plan("gold", tenant.Limits{})
	v := f.version()
	for _, tt := range []struct {
		name  string
		tn    tenant.Tenant
		field string
	}{
		{"bad id", tenant.Tenant{ID: "-acme", Name: "ACME", PlanID: "gold"}, "id"},
		{"upper id", tenant.Tenant{ID: "ACME", Name: "ACME", PlanID: "gold"}, "id"},
		{"no name", tenant.Tenant{ID: "acme", PlanID: "gold"}, "name"},
		{"no plan", tenant.Tenant{ID: "acme", Name: "ACME"}, "plan_id"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.c.CreateTenant(f.ctx, actor, tt.tn)
			requireInvalid(t, err, tt.field)
		})
	}
	ts, _, err := f.c.ListTenants(f.ctx, tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, ts)
	require.Equal(t, v, f.version())
	require.Empty(t, f.audits("tenant."))
}

func testTenantUpdate(t *testing.T, f *fixture) {
	f.plan("small", tenant.Limits{MaxStreams: 2})
	big := f.plan("big", tenant.Limits{MaxStreams: 50})
	created := f.tenant("acme", "small")
	v := f.version()
	f.clock.Advance(time.Hour)
	tn, err := f.c.UpdateTenant(f.ctx, actor, tenant.Tenant{ID: "acme", Name: "ACME 2", PlanID: "big"})
	require.NoError(t, err)
	require.Equal(t, "ACME 2", tn.Name)
	require.Equal(t, "big", tn.PlanID)
	require.Equal(t, big.Limits, tn.Limits, "the new plan's limits")
	requireTime(t, created.CreatedAt, tn.CreatedAt)
	requireTime(t, f.clock.Now(), tn.UpdatedAt)
	got, err := f.c.GetTenant(f.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, tn, got)
	f.requireAudited("tenant.update", "acme", "acme")
	require.Greater(t, f.version(), v)
}

func testTenantUpdateRefused(t *testing.T, f *fixture) {
	f.plan("small", tenant.Limits{MaxStreams: 2})
	f.tenant("acme", "small")
	v := f.version()
	_, err := f.c.UpdateTenant(f.ctx, actor, tenant.Tenant{ID: "acme", Name: "ACME", PlanID: "nope"})
	require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown plan")
	_, err = f.c.UpdateTenant(f.ctx, actor, tenant.Tenant{ID: "nope", Name: "Nope", PlanID: "small"})
	require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown tenant")
	_, err = f.c.UpdateTenant(f.ctx, actor, tenant.Tenant{ID: "acme", Name: "", PlanID: "small"})
	requireInvalid(t, err, "name")
	got, err := f.c.GetTenant(f.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, "small", got.PlanID)
	require.Equal(t, "Tenant acme", got.Name)
	require.Equal(t, v, f.version())
	require.Empty(t, f.audits("tenant.update"))
}

// testTenantDelete deletes a tenant with everything it has, next to one that must keep
// everything it has.
func testTenantDelete(t *testing.T, f *fixture) {
	f.plan("p", tenant.Limits{})
	type owned struct {
		user   tenant.User
		stream tenant.Stream
		key    tenant.APIKey
		sess   tenant.Session
	}
	setup := func(id string) owned {
		f.tenant(id, "p")
		u := f.user(id, "admin@"+id+".example", tenant.RoleAdmin)
		return owned{u, f.stream(id, "web"), f.key(id, "ship"), f.session(u.ID, newID())}
	}
	gone, kept := setup("acme"), setup("acme-corp")
	v := f.version()
	f.clock.Advance(time.Minute)
	require.NoError(t, f.c.DeleteTenant(f.ctx, actor, "acme"))
	f.requireAudited("tenant.delete", "acme", "acme")
	require.Greater(t, f.version(), v)
	require.ErrorIs(t, f.c.DeleteTenant(f.ctx, actor, "acme"), tenant.ErrNotFound)

	for name, o := range map[string]owned{"acme": gone, "acme-corp": kept} {
		want := error(nil)
		if name == "acme" {
			want = tenant.ErrNotFound
		}
		_, err := f.c.GetTenant(f.ctx, name)
		require.ErrorIs(t, err, want, name)
		_, err = f.c.GetUser(f.ctx, name, o.user.ID)
		require.ErrorIs(t, err, want, name)
		_, err = f.c.UserByEmail(f.ctx, o.user.Email)
		require.ErrorIs(t, err, want, name)
		_, err = f.c.GetStream(f.ctx, name, o.stream.Name)
		require.ErrorIs(t, err, want, name)
		_, err = f.c.GetKey(f.ctx, name, o.key.ID)
		require.ErrorIs(t, err, want, name)
		_, err = f.c.SessionByHash(f.ctx, o.sess.Hash)
		require.ErrorIs(t, err, want, name)
	}
	es, _, err := f.c.ListAudit(f.ctx, tenant.AuditFilter{TenantID: "acme"}, tenant.Page{})
	require.NoError(t, err)
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action)
	}
	require.Subset(t, actions, []string{"tenant.create", "user.create", "stream.create", "key.create", "tenant.delete"},
		"the deleted tenant's audit entries stay")
	snap, err := f.c.Snapshot(f.ctx)
	require.NoError(t, err)
	require.Len(t, snap.Tenants, 1)
	require.Len(t, snap.Streams, 1)
	require.Len(t, snap.Keys, 1)
	require.Equal(t, "acme-corp", snap.Keys[0].TenantID)
}
