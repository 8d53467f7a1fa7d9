package catalogtest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func streamTests() []test {
	return []test{
		{"CreateGet", testStreamCreate},
		{"CreateInvalid", testStreamCreateInvalid},
		{"CreateConflicts", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			f.stream("acme", "web")
			_, err := f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: "acme", Name: "web", SourceType: "nginx"})
			require.ErrorIs(t, err, tenant.ErrConflict)
			_, err = f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: "nope", Name: "app", SourceType: "json"})
			require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown tenant")
			_, err = f.c.GetStream(f.ctx, "nope", "app")
			require.ErrorIs(t, err, tenant.ErrNotFound)
			s, err := f.c.GetStream(f.ctx, "acme", "web")
			require.NoError(t, err)
			require.Equal(t, "json", s.SourceType)
			require.Len(t, f.audits("stream.create"), 1)
		}},
		{"Limit", testStreamLimit},
		{"Update", testStreamUpdate},
		{"Delete", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			f.stream("acme", "web")
			v := f.version()
			f.clock.Advance(time.Minute)
			require.NoError(t, f.c.DeleteStream(f.ctx, actor, "acme", "web"))
			_, err := f.c.GetStream(f.ctx, "acme", "web")
			require.ErrorIs(t, err, tenant.ErrNotFound)
			f.requireAudited("stream.delete", "acme", "web")
			require.Greater(t, f.version(), v)
			require.ErrorIs(t, f.c.DeleteStream(f.ctx, actor, "acme", "web"), tenant.ErrNotFound)
			require.Len(t, f.audits("stream.delete"), 1)
		}},
		{"ListOrder", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			for _, n := range []string{"web", "app_2", "app", "db-1"} {
				f.stream("acme", n)
			}
			ss, next, err := f.c.ListStreams(f.ctx, "acme", tenant.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			var names []string
			for _, s := range ss {
				names = append(names, s.Name)
			}
			require.Equal(t, []string{"app", "app_2", "db-1", "web"}, names)
		}},
	}
}

// requireStream compares streams, the parser as JSON and no labels as empty.
func requireStream(t *testing.T, want, got tenant.Stream) {
	t.Helper()
	if len(want.Parser) == 0 {
		require.Empty(t, got.Parser)
	} else {
		require.JSONEq(t, string(want.Parser), string(got.Parser))
	}
	if len(want.Labels) == 0 {
		require.Empty(t, got.Labels)
	} else {
		require.Equal(t, want.Labels, got.Labels)
	}
	want.Parser, got.Parser, want.Labels, got.Labels = nil, nil, nil, nil
	require.Equal(t, want, got)
}

func testStreamCreate(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	v := f.version()
	in := tenant.Stream{TenantID: "acme", Name: "web", SourceType: "nginx_access", ManagedBy: "config",
		Parser: json.RawMessage(`{"patterns": ["%{COMBINED}"], "multiline": {"start": "^\\d"}, "n": 1.5}`),
		Labels: map[string]string{"env": "prod", "team.name": "Web ✓"}}
	s, err := f.c.CreateStream(f.ctx, actor, in)
	require.NoError(t, err)
	want := in
	want.CreatedAt, want.UpdatedAt = f.now(), f.now()
	requireStream(t, want, s)
	requireTime(t, f.clock.Now(), s.CreatedAt)
	got, err := f.c.GetStream(f.ctx, "acme", "web")
	require.NoError(t, err)
	requireStream(t, want, got)
	f.requireAudited("stream.create", "acme", "web")
	require.Greater(t, f.version(), v)

	bare, err := f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: "acme", Name: "bare", SourceType: "json"})
	require.NoError(t, err)
	got, err = f.c.GetStream(f.ctx, "acme", "bare")
	require.NoError(t, err)
	require.Empty(t, got.Parser, "no parser stays none")
	require.Empty(t, got.Labels)
	requireStream(t, bare, got)
}

func testStreamCreateInvalid(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	v := f.version()
	for _, tt := range []struct {
		name  string
		s     tenant.Stream
		field string
	}{
		{"bad name", tenant.Stream{TenantID: "acme", Name: "Web", SourceType: "json"}, "name"},
		{"no name", tenant.Stream{TenantID: "acme", SourceType: "json"}, "name"},
		{"no source type", tenant.Stream{TenantID: "acme", Name: "web"}, "source_type"},
		{"parser array", tenant.Stream{TenantID: "acme", Name: "web", SourceType: "json", Parser: json.RawMessage(`[1]`)}, "parser"},
		{"parser broken", tenant.Stream{TenantID: "acme", Name: "web", SourceType: "json", Parser: json.RawMessage(`{"a":`)}, "parser"},
		{"label name", tenant.Stream{TenantID: "acme", Name: "web", SourceType: "json", Labels: map[string]string{"Env": "x"}}, "labels"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.c.CreateStream(f.ctx, actor, tt.s)
			requireInvalid(t, err, tt.field)
		})
	}
	ss, _, err := f.c.ListStreams(f.ctx, "acme", tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, ss)
	require.Equal(t, v, f.version())
	require.Empty(t, f.audits("stream."))
}

func testStreamLimit(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{MaxStreams: 2})
	f.tenantWithPlan("other", tenant.Limits{MaxStreams: 2})
	f.stream("acme", "a")
	f.stream("acme", "b")
	f.stream("other", "a")
	v := f.version()
	_, err := f.c.CreateStream(f.ctx, actor, tenant.Stream{TenantID: "acme", Name: "c", SourceType: "json"})
	require.ErrorIs(t, err, tenant.ErrLimit)
	_, err = f.c.GetStream(f.ctx, "acme", "c")
	require.ErrorIs(t, err, tenant.ErrNotFound)
	require.Equal(t, v, f.version())
	require.Len(t, f.audits("stream.create"), 3)

	f.stream("other", "b") // the limit counts the tenant's own streams only
	require.NoError(t, f.c.DeleteStream(f.ctx, actor, "acme", "a"))
	f.stream("acme", "c")

	p, err := f.c.GetPlan(f.ctx, "acme")
	require.NoError(t, err)
	p.Limits.MaxStreams = 3
	_, err = f.c.UpdatePlan(f.ctx, actor, p)
	require.NoError(t, err)
	f.stream("acme", "d") // a raised limit applies at once
}

func testStreamUpdate(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	created := f.stream("acme", "web")
	v := f.version()
	f.clock.Advance(time.Hour)
	in := tenant.Stream{TenantID: "acme", Name: "web", SourceType: "nginx_error",
		Parser: json.RawMessage(`{"x":{"y":[true,null]}}`), Labels: map[string]string{"tier": "1"}}
	s, err := f.c.UpdateStream(f.ctx, actor, in)
	require.NoError(t, err)
	want := in
	want.CreatedAt, want.UpdatedAt = stored(created.CreatedAt), f.now()
	requireStream(t, want, s)
	got, err := f.c.GetStream(f.ctx, "acme", "web")
	require.NoError(t, err)
	requireStream(t, want, got)
	f.requireAudited("stream.update", "acme", "web")
	require.Greater(t, f.version(), v)

	v = f.version()
	in.Parser = json.RawMessage(`"str"`)
	_, err = f.c.UpdateStream(f.ctx, actor, in)
	requireInvalid(t, err, "parser")
	_, err = f.c.UpdateStream(f.ctx, actor, tenant.Stream{TenantID: "acme", Name: "nope", SourceType: "json"})
	require.ErrorIs(t, err, tenant.ErrNotFound)
	got, err = f.c.GetStream(f.ctx, "acme", "web")
	require.NoError(t, err)
	requireStream(t, want, got)
	require.Equal(t, v, f.version())
	require.Len(t, f.audits("stream.update"), 1)
}
