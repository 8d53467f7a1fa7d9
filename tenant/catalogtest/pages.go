package catalogtest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// lister is one list method, with how to fill it with n items.
type lister struct {
	name string
	fill func(f *fixture, n int)
	// list returns the keys of one page, in order.
	list func(f *fixture, p tenant.Page) ([]string, string, error)
}

func listers() []lister {
	return []lister{
		{"plans", func(f *fixture, n int) {
			for i := range n {
				f.plan(fmt.Sprintf("p%03d", i), tenant.Limits{})
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			ps, next, err := f.c.ListPlans(f.ctx, p)
			return keysOf(ps, func(x tenant.Plan) string { return x.ID }), next, err
		}},
		{"tenants", func(f *fixture, n int) {
			f.plan("p", tenant.Limits{})
			for i := range n {
				f.tenant(fmt.Sprintf("t%03d", i), "p")
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			ts, next, err := f.c.ListTenants(f.ctx, p)
			return keysOf(ts, func(x tenant.Tenant) string { return x.ID }), next, err
		}},
		{"users", func(f *fixture, n int) {
			f.tenantWithPlan("acme", tenant.Limits{})
			for i := range n {
				f.user("acme", fmt.Sprintf("u%03d@example.com", i), tenant.RoleMember)
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			us, next, err := f.c.ListUsers(f.ctx, "acme", p)
			return keysOf(us, func(x tenant.User) string { return x.Email }), next, err
		}},
		{"streams", func(f *fixture, n int) {
			f.tenantWithPlan("acme", tenant.Limits{MaxStreams: 1000})
			for i := range n {
				f.stream("acme", fmt.Sprintf("s%03d", i))
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			ss, next, err := f.c.ListStreams(f.ctx, "acme", p)
			return keysOf(ss, func(x tenant.Stream) string { return x.Name }), next, err
		}},
		{"keys", func(f *fixture, n int) {
			f.tenantWithPlan("acme", tenant.Limits{})
			for i := range n {
				f.key("acme", fmt.Sprintf("k%03d", i))
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			ks, next, err := f.c.ListKeys(f.ctx, "acme", p)
			return keysOf(ks, func(x tenant.APIKey) string { return x.ID }), next, err
		}},
		{"certificates", func(f *fixture, n int) {
			f.tenantWithPlan("acme", tenant.Limits{})
			for i := range n {
				f.cert("acme", fmt.Sprintf("c%03d", i))
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			cs, next, err := f.c.ListCerts(f.ctx, "acme", p)
			return keysOf(cs, func(x tenant.ClientCert) string { return x.ID }), next, err
		}},
		{"audit", func(f *fixture, n int) {
			for i := range n {
				require.NoError(f.t, f.c.Audit(f.ctx, tenant.AuditEntry{Actor: actor, Action: "auth.login", Target: fmt.Sprint(i)}))
			}
		}, func(f *fixture, p tenant.Page) ([]string, string, error) {
			es, next, err := f.c.ListAudit(f.ctx, tenant.AuditFilter{}, p)
			return keysOf(es, func(x tenant.AuditEntry) string { return x.ID }), next, err
		}},
	}
}

func keysOf[T any](xs []T, key func(T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		out = append(out, key(x))
	}
	return out
}

func pageTests() []test {
	var tests []test
	for _, l := range listers() {
		tests = append(tests,
			test{l.name + "/Walk", func(t *testing.T, f *fixture) { testPageWalk(t, f, l) }},
			test{l.name + "/Refused", func(t *testing.T, f *fixture) { testPageRefused(t, f, l) }})
	}
	return append(tests, test{"DefaultSize", func(t *testing.T, f *fixture) {
		l := listers()[0]
		l.fill(f, 101)
		first, next, err := l.list(f, tenant.Page{})
		require.NoError(t, err)
		require.Len(t, first, 100, "a page is 100 unless asked")
		require.NotEmpty(t, next)
		rest, next, err := l.list(f, tenant.Page{Token: next})
		require.NoError(t, err)
		require.Equal(t, []string{"p100"}, rest)
		require.Empty(t, next)
		all, next, err := l.list(f, tenant.Page{Size: 1000})
		require.NoError(t, err)
		require.Len(t, all, 101)
		require.Empty(t, next)
	}})
}

// testPageWalk lists 5 items 2 at a time and checks that the pages add up to the list.
func testPageWalk(t *testing.T, f *fixture, l lister) {
	l.fill(f, 5)
	all, next, err := l.list(f, tenant.Page{})
	require.NoError(t, err)
	require.Len(t, all, 5)
	require.Empty(t, next)
	var walked []string
	token := ""
	for i, size := range []int{2, 2, 1} {
		keys, next, err := l.list(f, tenant.Page{Size: 2, Token: token})
		require.NoError(t, err, "page %d", i)
		require.Len(t, keys, size, "page %d", i)
		if i < 2 {
			require.NotEmpty(t, next, "page %d has a next", i)
		} else {
			require.Empty(t, next, "the last page has no next")
		}
		walked, token = append(walked, keys...), next
	}
	require.Equal(t, all, walked)
	keys, next, err := l.list(f, tenant.Page{Size: 3, Token: mustToken(t, l, f)})
	require.NoError(t, err)
	require.Equal(t, all[1:4], keys, "a token is reusable, with another size")
	require.NotEmpty(t, next)
}

// mustToken returns the token after the first item.
func mustToken(t *testing.T, l lister, f *fixture) string {
	t.Helper()
	_, next, err := l.list(f, tenant.Page{Size: 1})
	require.NoError(t, err)
	require.NotEmpty(t, next)
	return next
}

func testPageRefused(t *testing.T, f *fixture, l lister) {
	l.fill(f, 1)
	for _, tt := range []struct {
		page  tenant.Page
		field string
	}{
		{tenant.Page{Size: -1}, "page_size"},
		{tenant.Page{Size: 1001}, "page_size"},
		{tenant.Page{Token: "not a token!"}, "page_token"},
		{tenant.Page{Size: 10, Token: "%%%"}, "page_token"},
	} {
		_, _, err := l.list(f, tt.page)
		requireInvalid(t, err, tt.field)
	}
	keys, _, err := l.list(f, tenant.Page{Size: 1000})
	require.NoError(t, err)
	require.Len(t, keys, 1)
}
