package catalogtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func isolationTests() []test {
	return []test{
		{"CrossTenant", testCrossTenant},
		{"SameNames", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			f.tenantWithPlan("acme-corp", tenant.Limits{})
			f.stream("acme", "web")
			_, err := f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: "acme-corp", Name: "web", SourceType: "nginx"})
			require.NoError(t, err, "stream names are per tenant")
			a, err := f.c.GetStream(f.ctx, "acme", "web")
			require.NoError(t, err)
			b, err := f.c.GetStream(f.ctx, "acme-corp", "web")
			require.NoError(t, err)
			require.Equal(t, "json", a.SourceType)
			require.Equal(t, "nginx", b.SourceType)
			require.NoError(t, f.c.DeleteStream(f.ctx, actor, "acme-corp", "web"))
			_, err = f.c.GetStream(f.ctx, "acme", "web")
			require.NoError(t, err, "deleting one tenant's stream keeps the other's")
		}},
	}
}

// holdings are what one tenant has, for the cross-tenant test.
type holdings struct {
	user   tenant.User
	stream tenant.Stream
	key    tenant.APIKey
	sess   tenant.Session
}

// testCrossTenant calls every tenant-scoped method with acme-corp's id on acme's records,
// and the other way round: every call is ErrNotFound and nothing changes.
func testCrossTenant(t *testing.T, f *fixture) {
	f.plan("p", tenant.Limits{})
	have := map[string]holdings{}
	for _, id := range []string{"acme", "acme-corp"} {
		f.tenant(id, "p")
		u := f.user(id, "admin@"+id+".example", tenant.RoleAdmin)
		have[id] = holdings{u, f.stream(id, "web-"+id), f.key(id, "ship"), f.session(u.ID, newID())}
	}
	for owner, other := range map[string]string{"acme": "acme-corp", "acme-corp": "acme"} {
		t.Run(owner, func(t *testing.T) {
			h := have[owner]
			before := f.snapshotOf(owner)
			v, audits := f.version(), len(f.audits(""))
			for name, err := range crossCalls(f, other, h) {
				require.ErrorIs(t, err, tenant.ErrNotFound, "%s with %s's id on %s's record", name, other, owner)
			}
			require.Equal(t, before, f.snapshotOf(owner), "nothing changed")
			require.Equal(t, v, f.version())
			require.Len(t, f.audits(""), audits)
			sess, err := f.c.SessionByHash(f.ctx, h.sess.Hash)
			require.NoError(t, err)
			require.True(t, sess.RevokedAt.IsZero())

			us, _, err := f.c.ListUsers(f.ctx, other, tenant.Page{})
			require.NoError(t, err)
			require.Equal(t, []string{have[other].user.ID}, keysOf(us, func(u tenant.User) string { return u.ID }))
			ss, _, err := f.c.ListStreams(f.ctx, other, tenant.Page{})
			require.NoError(t, err)
			require.Equal(t, []string{have[other].stream.Name}, keysOf(ss, func(s tenant.Stream) string { return s.Name }))
			ks, _, err := f.c.ListKeys(f.ctx, other, tenant.Page{})
			require.NoError(t, err)
			require.Equal(t, []string{have[other].key.ID}, keysOf(ks, func(k tenant.APIKey) string { return k.ID }))
		})
	}
}

// crossCalls makes every tenant-scoped call with tenant other on h, another tenant's.
func crossCalls(f *fixture, other string, h holdings) map[string]error {
	errs := map[string]error{}
	ignore := func(name string) func(any, error) {
		return func(_ any, err error) { errs[name] = err }
	}
	ignore("GetUser")(f.c.GetUser(f.ctx, other, h.user.ID))
	ignore("GetUser as operator")(f.c.GetUser(f.ctx, "", h.user.ID))
	u := h.user
	u.TenantID, u.Name, u.Disabled = other, "Hijacked", true
	ignore("UpdateUser")(f.c.UpdateUser(f.ctx, actor, u))
	errs["DeleteUser"] = f.c.DeleteUser(f.ctx, actor, other, h.user.ID)
	errs["DeleteUser as operator"] = f.c.DeleteUser(f.ctx, actor, "", h.user.ID)
	ignore("GetStream")(f.c.GetStream(f.ctx, other, h.stream.Name))
	s := h.stream
	s.TenantID, s.SourceType = other, "hijacked"
	ignore("UpdateStream")(f.c.UpdateStream(f.ctx, actor, s))
	errs["DeleteStream"] = f.c.DeleteStream(f.ctx, actor, other, h.stream.Name)
	ignore("GetKey")(f.c.GetKey(f.ctx, other, h.key.ID))
	errs["RevokeKey"] = f.c.RevokeKey(f.ctx, actor, other, h.key.ID)
	return errs
}

// owned is everything a tenant has, as read back.
type owned struct {
	Tenant  tenant.Tenant
	Users   []tenant.User
	Streams []string
	Parsers []string
	Keys    []tenant.APIKey
}

func (f *fixture) snapshotOf(id string) owned {
	f.t.Helper()
	var o owned
	var err error
	o.Tenant, err = f.c.GetTenant(f.ctx, id)
	require.NoError(f.t, err)
	o.Users, _, err = f.c.ListUsers(f.ctx, id, tenant.Page{})
	require.NoError(f.t, err)
	ss, _, err := f.c.ListStreams(f.ctx, id, tenant.Page{})
	require.NoError(f.t, err)
	for _, s := range ss {
		o.Streams = append(o.Streams, s.Name+":"+s.SourceType)
		o.Parsers = append(o.Parsers, string(s.Parser))
	}
	o.Keys, _, err = f.c.ListKeys(f.ctx, id, tenant.Page{})
	require.NoError(f.t, err)
	return o
}
