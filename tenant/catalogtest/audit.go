package catalogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func auditTests() []test {
	return []test{
		{"Record", testAuditRecord},
		{"Filters", testAuditFilters},
	}
}

func testAuditRecord(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	v := f.version()
	f.clock.Advance(time.Minute)
	who := tenant.Actor{Kind: "user", ID: newID(), Name: "ann@example.com", TenantID: "acme", Address: "2001:db8::1"}
	in := tenant.AuditEntry{Actor: who, TenantID: "acme", Action: "auth.login", Target: "ann@example.com",
		Details: map[string]string{"method": "password"}}
	require.NoError(t, f.c.Audit(f.ctx, in))
	es := f.audits("auth.login")
	require.Len(t, es, 1)
	got := es[0]
	require.Len(t, got.ID, 26, "the store gives a ULID")
	requireTime(t, f.clock.Now(), got.At, "the store's clock")
	in.ID, in.At = got.ID, got.At
	require.Equal(t, in, got)
	require.Equal(t, v, f.version(), "an audit entry is no change of the catalog")

	all, _, err := f.c.ListAudit(f.ctx, tenant.AuditFilter{}, tenant.Page{})
	require.NoError(t, err)
	var actions []string
	for _, e := range all {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{"auth.login", "tenant.create", "plan.create"}, actions, "newest first")
}

// testAuditFilters makes one change a minute, over two tenants whose ids share a prefix.
func testAuditFilters(t *testing.T, f *fixture) {
	t0 := f.clock.Now()
	step := func(do func()) {
		do()
		f.clock.Advance(time.Minute)
	}
	var k tenant.APIKey
	step(func() { f.plan("p", tenant.Limits{}) })                                  // t0
	step(func() { f.tenant("acme", "p") })                                         // t0+1m
	step(func() { f.tenant("acme-corp", "p") })                                    // t0+2m
	step(func() { k = f.key("acme", "k") })                                        // t0+3m
	step(func() { f.key("acme-corp", "k") })                                       // t0+4m
	step(func() { require.NoError(t, f.c.RevokeKey(f.ctx, actor, "acme", k.ID)) }) // t0+5m
	step(func() { f.stream("acme-corp", "web") })                                  // t0+6m
	at := func(n int) time.Time { return stored(t0.Add(time.Duration(n) * time.Minute)) }

	for _, tt := range []struct {
		name string
		f    tenant.AuditFilter
		want []string // action@tenant, newest first
	}{
		{"all", tenant.AuditFilter{}, []string{"stream.create@acme-corp", "key.revoke@acme", "key.create@acme-corp",
			"key.create@acme", "tenant.create@acme-corp", "tenant.create@acme", "plan.create@"}},
		{"tenant", tenant.AuditFilter{TenantID: "acme"}, []string{"key.revoke@acme", "key.create@acme", "tenant.create@acme"}},
		{"other tenant", tenant.AuditFilter{TenantID: "acme-corp"}, []string{"stream.create@acme-corp", "key.create@acme-corp", "tenant.create@acme-corp"}},
		{"unknown tenant", tenant.AuditFilter{TenantID: "acm"}, nil},
		{"action", tenant.AuditFilter{Action: "key.create"}, []string{"key.create@acme-corp", "key.create@acme"}},
		{"prefix", tenant.AuditFilter{Action: "key."}, []string{"key.revoke@acme", "key.create@acme-corp", "key.create@acme"}},
		{"no dot is no prefix", tenant.AuditFilter{Action: "key"}, nil},
		{"tenant and prefix", tenant.AuditFilter{TenantID: "acme", Action: "key."}, []string{"key.revoke@acme", "key.create@acme"}},
		{"since", tenant.AuditFilter{Since: at(5)}, []string{"stream.create@acme-corp", "key.revoke@acme"}},
		{"until", tenant.AuditFilter{Until: at(1)}, []string{"plan.create@"}},
		{"since until", tenant.AuditFilter{Since: at(1), Until: at(3)}, []string{"tenant.create@acme-corp", "tenant.create@acme"}},
		{"between steps", tenant.AuditFilter{Since: at(1).Add(time.Second), Until: at(2).Add(time.Second)}, []string{"tenant.create@acme-corp"}},
		{"other zone", tenant.AuditFilter{Since: at(6).In(time.FixedZone("X", -7*3600))}, []string{"stream.create@acme-corp"}},
		{"all filters", tenant.AuditFilter{TenantID: "acme", Action: "key.", Since: at(4), Until: at(6)}, []string{"key.revoke@acme"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es, next, err := f.c.ListAudit(f.ctx, tt.f, tenant.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			var got []string
			for _, e := range es {
				got = append(got, e.Action+"@"+e.TenantID)
			}
			require.Equal(t, tt.want, got)
		})
	}
}
