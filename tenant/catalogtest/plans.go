package catalogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func planTests() []test {
	return []test{
		{"CreateGet", testPlanCreate},
		{"CreateInvalid", testPlanCreateInvalid},
		{"CreateDuplicate", testPlanDuplicate},
		{"GetUnknown", func(t *testing.T, f *fixture) {
			_, err := f.c.GetPlan(f.ctx, "nope")
			require.ErrorIs(t, err, tenant.ErrNotFound)
		}},
		{"Update", testPlanUpdate},
		{"UpdateInvalid", testPlanUpdateInvalid},
		{"Delete", testPlanDelete},
		{"DeleteInUse", testPlanDeleteInUse},
		{"ListOrder", func(t *testing.T, f *fixture) {
			for _, id := range []string{"b", "c", "a-1", "a"} {
				f.plan(id, tenant.Limits{})
			}
			ps, next, err := f.c.ListPlans(f.ctx, tenant.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			var ids []string
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
			require.Equal(t, []string{"a", "a-1", "b", "c"}, ids)
		}},
	}
}

func testPlanCreate(t *testing.T, f *fixture) {
	v := f.version()
	limits := tenant.Limits{MaxStreams: 7, IngestBytesPerSecond: 1 << 20, QueryTimeout: 1500 * time.Millisecond, MaxBacklogBytes: 1 << 30}
	p, err := f.c.CreatePlan(f.ctx, actor, tenant.Plan{ID: "gold", Name: "Gold", ManagedBy: "config",
		Limits: limits, Retention: tenant.Retention{SearchDays: 30}})
	require.NoError(t, err)
	want := tenant.Plan{ID: "gold", Name: "Gold", ManagedBy: "config",
		Limits: limits, Retention: tenant.Retention{SearchDays: 30}}
	want.ApplyDefaults()
	require.Equal(t, want.Limits, p.Limits, "defaults fill the zero limits")
	require.Equal(t, want.Retention, p.Retention)
	requireTime(t, f.clock.Now(), p.CreatedAt)
	requireTime(t, f.clock.Now(), p.UpdatedAt)
	got, err := f.c.GetPlan(f.ctx, "gold")
	require.NoError(t, err)
	require.Equal(t, p, got)
	f.requireAudited("plan.create", "", "gold")
	require.Greater(t, f.version(), v)
}

func testPlanCreateInvalid(t *testing.T, f *fixture) {
	tests := []struct {
		name  string
		p     tenant.Plan
		field string
	}{
		{"bad id", tenant.Plan{ID: "Gold", Name: "Gold"}, "id"},
		{"empty id", tenant.Plan{Name: "Gold"}, "id"},
		{"no name", tenant.Plan{ID: "gold", Name: " "}, "name"},
		{"negative limit", tenant.Plan{ID: "gold", Name: "Gold", Limits: tenant.Limits{MaxStreams: -1}}, "limits.max_streams"},
		{"negative query timeout", tenant.Plan{ID: "gold", Name: "Gold", Limits: tenant.Limits{QueryTimeout: -time.Second}}, "limits.query_timeout"},
		{"query timeout too long", tenant.Plan{ID: "gold", Name: "Gold", Limits: tenant.Limits{QueryTimeout: 2 * time.Hour}}, "limits.query_timeout"},
		{"negative backlog", tenant.Plan{ID: "gold", Name: "Gold", Limits: tenant.Limits{MaxBacklogBytes: -1}}, "limits.max_backlog_bytes"},
		{"archive shorter", tenant.Plan{ID: "gold", Name: "Gold", Retention: tenant.Retention{SearchDays: 30, ArchiveDays: 10}}, "retention.archive_days"},
	}
	v := f.version()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.c.CreatePlan(f.ctx, actor, tt.p)
			requireInvalid(t, err, tt.field)
		})
	}
	ps, _, err := f.c.ListPlans(f.ctx, tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, ps)
	require.Empty(t, f.audits("plan."))
	require.Equal(t, v, f.version(), "a refused change does not advance the version")
}

func testPlanDuplicate(t *testing.T, f *fixture) {
	f.plan("gold", tenant.Limits{MaxStreams: 3})
	_, err := f.c.CreatePlan(f.ctx, actor, tenant.Plan{ID: "gold", Name: "Other"})
	require.ErrorIs(t, err, tenant.ErrConflict)
	p, err := f.c.GetPlan(f.ctx, "gold")
	require.NoError(t, err)
	require.Equal(t, "Plan gold", p.Name)
	require.Equal(t, 3, p.Limits.MaxStreams)
	require.Len(t, f.audits("plan.create"), 1)
}

func testPlanUpdate(t *testing.T, f *fixture) {
	created := f.plan("gold", tenant.Limits{MaxStreams: 3})
	f.tenant("acme", "gold")
	v := f.version()
	f.clock.Advance(time.Hour)
	p, err := f.c.UpdatePlan(f.ctx, actor, tenant.Plan{ID: "gold", Name: "Gold 2",
		Limits: tenant.Limits{MaxStreams: 9, QueryTimeout: 2 * time.Second}, Retention: tenant.Retention{SearchDays: 60, ArchiveDays: 365}})
	require.NoError(t, err)
	require.Equal(t, "Gold 2", p.Name)
	require.Equal(t, 9, p.Limits.MaxStreams)
	require.Equal(t, 2*time.Second, p.Limits.QueryTimeout)
	require.Equal(t, tenant.DefaultLimits.MaxLineBytes, p.Limits.MaxLineBytes, "defaults fill the zero limits")
	require.Equal(t, tenant.Retention{SearchDays: 60, ArchiveDays: 365}, p.Retention)
	requireTime(t, created.CreatedAt, p.CreatedAt)
	requireTime(t, f.clock.Now(), p.UpdatedAt)
	got, err := f.c.GetPlan(f.ctx, "gold")
	require.NoError(t, err)
	require.Equal(t, p, got)
	f.requireAudited("plan.update", "", "gold")
	require.Greater(t, f.version(), v)

	tn, err := f.c.GetTenant(f.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, p.Limits, tn.Limits, "tenants read their plan's current limits")
	require.Equal(t, p.Retention, tn.Retention)

	_, err = f.c.UpdatePlan(f.ctx, actor, tenant.Plan{ID: "nope", Name: "Nope"})
	require.ErrorIs(t, err, tenant.ErrNotFound)
}

func testPlanUpdateInvalid(t *testing.T, f *fixture) {
	f.plan("gold", tenant.Limits{MaxStreams: 3})
	v := f.version()
	_, err := f.c.UpdatePlan(f.ctx, actor, tenant.Plan{ID: "gold", Name: ""})
	requireInvalid(t, err, "name")
	_, err = f.c.UpdatePlan(f.ctx, actor, tenant.Plan{ID: "gold", Name: "Gold", Limits: tenant.Limits{QueueMaxBytes: -5}})
	requireInvalid(t, err, "limits.queue_max_bytes")
	p, err := f.c.GetPlan(f.ctx, "gold")
	require.NoError(t, err)
	require.Equal(t, "Plan gold", p.Name)
	require.Equal(t, 3, p.Limits.MaxStreams)
	require.Equal(t, v, f.version())
	require.Empty(t, f.audits("plan.update"))
}

func testPlanDelete(t *testing.T, f *fixture) {
	f.plan("gold", tenant.Limits{})
	v := f.version()
	f.clock.Advance(time.Minute)
	require.NoError(t, f.c.DeletePlan(f.ctx, actor, "gold"))
	_, err := f.c.GetPlan(f.ctx, "gold")
	require.ErrorIs(t, err, tenant.ErrNotFound)
	f.requireAudited("plan.delete", "", "gold")
	require.Greater(t, f.version(), v)
	require.ErrorIs(t, f.c.DeletePlan(f.ctx, actor, "gold"), tenant.ErrNotFound)
	require.Len(t, f.audits("plan.delete"), 1)
}

func testPlanDeleteInUse(t *testing.T, f *fixture) {
	f.plan("gold", tenant.Limits{})
	f.tenant("acme", "gold")
	v := f.version()
	require.ErrorIs(t, f.c.DeletePlan(f.ctx, actor, "gold"), tenant.ErrConflict)
	_, err := f.c.GetPlan(f.ctx, "gold")
	require.NoError(t, err)
	require.Equal(t, v, f.version())
	require.Empty(t, f.audits("plan.delete"))

	require.NoError(t, f.c.DeleteTenant(f.ctx, actor, "acme"))
	require.NoError(t, f.c.DeletePlan(f.ctx, actor, "gold"), "a plan no tenant uses")
}
