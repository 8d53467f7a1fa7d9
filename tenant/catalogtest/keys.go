package catalogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func keyTests() []test {
	return []test{
		{"CreateGet", testKeyCreate},
		{"CreateInvalid", testKeyCreateInvalid},
		{"CreateConflicts", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			k := f.key("acme", "ship")
			again := tenant.APIKey{ID: k.ID, TenantID: "acme", Name: "again", Scopes: []tenant.Scope{tenant.ScopeRead}, Hash: tenant.HashKey("x")}
			_, err := f.c.CreateKey(f.ctx, actor, again)
			require.ErrorIs(t, err, tenant.ErrConflict, "a taken id")
			_, err = f.c.CreateKey(f.ctx, actor, tenant.APIKey{TenantID: "nope", Name: "k", Scopes: []tenant.Scope{tenant.ScopeRead}, Hash: tenant.HashKey("y")})
			require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown tenant")
			got, err := f.c.GetKey(f.ctx, "acme", k.ID)
			require.NoError(t, err)
			require.Equal(t, "ship", got.Name)
			require.Len(t, f.audits("key.create"), 1)
		}},
		{"Revoke", testKeyRevoke},
		{"Touch", testKeyTouch},
		{"ListOrder", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			var want []string
			for _, n := range []string{"zz", "aa", "mm"} {
				want = append(want, f.key("acme", n).ID)
				f.clock.Advance(time.Millisecond)
			}
			require.NoError(t, f.c.RevokeKey(f.ctx, actor, "acme", want[1]))
			ks, next, err := f.c.ListKeys(f.ctx, "acme", tenant.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			var ids []string
			for _, k := range ks {
				ids = append(ids, k.ID)
			}
			require.Equal(t, want, ids, "creation order, revoked keys included")
			require.False(t, ks[1].RevokedAt.IsZero())
		}},
	}
}

func testKeyCreate(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	v := f.version()
	expires := f.clock.Now().Add(30 * 24 * time.Hour)
	in := tenant.APIKey{TenantID: "acme", Name: "shipper", Scopes: []tenant.Scope{tenant.ScopeRead, tenant.ScopeIngest},
		Hash: tenant.HashKey("secret-1"), ExpiresAt: expires, ManagedBy: "config"}
	k, err := f.c.CreateKey(f.ctx, actor, in)
	require.NoError(t, err)
	require.Len(t, k.ID, 26, "a ULID")
	want := in
	want.ID, want.ExpiresAt, want.CreatedAt = k.ID, stored(expires), f.now()
	require.Equal(t, want, k)
	got, err := f.c.GetKey(f.ctx, "acme", k.ID)
	require.NoError(t, err)
	require.Equal(t, k, got)
	requireTime(t, expires, got.ExpiresAt)
	requireTime(t, f.clock.Now(), got.CreatedAt)
	e := f.requireAudited("key.create", "acme", k.ID)
	for name, v := range e.Details {
		require.NotContains(t, v, in.Hash[7:], "detail %s holds the key's hash", name)
	}
	require.Greater(t, f.version(), v)

	id, secret := tenant.NewKeySecret()
	given, err := f.c.CreateKey(f.ctx, actor, tenant.APIKey{ID: id, TenantID: "acme", Name: "given",
		Scopes: []tenant.Scope{tenant.ScopeAdmin}, Hash: tenant.HashKey(secret)})
	require.NoError(t, err)
	require.Equal(t, id, given.ID, "a given id is kept")
	require.True(t, given.ExpiresAt.IsZero(), "never expires")
	got, err = f.c.GetKey(f.ctx, "acme", id)
	require.NoError(t, err)
	require.Equal(t, given, got)
	_, err = f.c.GetKey(f.ctx, "acme", newID())
	require.ErrorIs(t, err, tenant.ErrNotFound)
}

func testKeyCreateInvalid(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	v := f.version()
	ok := tenant.APIKey{TenantID: "acme", Name: "k", Scopes: []tenant.Scope{tenant.ScopeIngest}, Hash: tenant.HashKey("s")}
	for _, tt := range []struct {
		name   string
		change func(*tenant.APIKey)
		field  string
	}{
		{"no name", func(k *tenant.APIKey) { k.Name = "" }, "name"},
		{"no scopes", func(k *tenant.APIKey) { k.Scopes = nil }, "scopes"},
		{"bad scope", func(k *tenant.APIKey) { k.Scopes = []tenant.Scope{"write"} }, "scopes"},
		{"bad tenant", func(k *tenant.APIKey) { k.TenantID = "Acme" }, "tenant_id"},
		{"bad hash", func(k *tenant.APIKey) { k.Hash = "s" }, "hash"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := ok
			tt.change(&k)
			_, err := f.c.CreateKey(f.ctx, actor, k)
			requireInvalid(t, err, tt.field)
		})
	}
	ks, _, err := f.c.ListKeys(f.ctx, "acme", tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, ks)
	require.Equal(t, v, f.version())
	require.Empty(t, f.audits("key."))
}

func testKeyRevoke(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	k := f.key("acme", "ship")
	other := f.key("acme", "other")
	v := f.version()
	f.clock.Advance(time.Hour)
	revokedAt := f.clock.Now()
	require.NoError(t, f.c.RevokeKey(f.ctx, actor, "acme", k.ID))
	got, err := f.c.GetKey(f.ctx, "acme", k.ID)
	require.NoError(t, err)
	requireTime(t, revokedAt, got.RevokedAt)
	require.False(t, got.Active(revokedAt))
	f.requireAudited("key.revoke", "acme", k.ID)
	v2 := f.version()
	require.Greater(t, v2, v)

	f.clock.Advance(time.Hour)
	require.NoError(t, f.c.RevokeKey(f.ctx, actor, "acme", k.ID), "revoking again is no error")
	got, err = f.c.GetKey(f.ctx, "acme", k.ID)
	require.NoError(t, err)
	requireTime(t, revokedAt, got.RevokedAt, "revoking again changes nothing")
	require.Len(t, f.audits("key.revoke"), 1, "nor audits")
	require.Equal(t, v2, f.version())

	require.ErrorIs(t, f.c.RevokeKey(f.ctx, actor, "acme", newID()), tenant.ErrNotFound)
	got, err = f.c.GetKey(f.ctx, "acme", other.ID)
	require.NoError(t, err)
	require.True(t, got.RevokedAt.IsZero())
}

func testKeyTouch(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	a, b := f.key("acme", "a"), f.key("acme", "b")
	v, audits := f.version(), len(f.audits(""))
	t0 := f.clock.Now().Add(time.Minute)
	t1, t2 := t0.Add(time.Second), t0.Add(2*time.Second)
	lastUsed := func(id string) time.Time {
		k, err := f.c.GetKey(f.ctx, "acme", id)
		require.NoError(t, err)
		return k.LastUsedAt
	}
	require.NoError(t, f.c.TouchKeys(f.ctx, map[string]time.Time{a.ID: t1}))
	requireTime(t, t1, lastUsed(a.ID))
	require.True(t, lastUsed(b.ID).IsZero())
	require.NoError(t, f.c.TouchKeys(f.ctx, map[string]time.Time{a.ID: t0, b.ID: t0, newID(): t2}),
		"an unknown key is ignored")
	requireTime(t, t1, lastUsed(a.ID), "an older use keeps the newer")
	requireTime(t, t0, lastUsed(b.ID))
	require.NoError(t, f.c.TouchKeys(f.ctx, map[string]time.Time{a.ID: t2}))
	requireTime(t, t2, lastUsed(a.ID))
	require.NoError(t, f.c.TouchKeys(f.ctx, nil))
	require.Equal(t, v, f.version(), "touching is no change of the catalog")
	require.Len(t, f.audits(""), audits)
}
