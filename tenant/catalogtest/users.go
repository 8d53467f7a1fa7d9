package catalogtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func userTests() []test {
	return []test{
		{"CreateGet", testUserCreate},
		{"Operators", testUserOperators},
		{"CreateInvalid", testUserCreateInvalid},
		{"CreateConflicts", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			f.tenantWithPlan("other", tenant.Limits{})
			f.user("acme", "ann@example.com", tenant.RoleAdmin)
			hash := tenant.HashPassword("pw", passwordParams)
			for _, u := range []tenant.User{
				{TenantID: "acme", Email: "ann@example.com", Role: tenant.RoleMember, PasswordHash: hash},
				{TenantID: "other", Email: "ANN@example.com", Role: tenant.RoleMember, PasswordHash: hash},
				{Email: "Ann@Example.com", Role: tenant.RoleOperator, PasswordHash: hash},
			} {
				_, err := f.c.CreateUser(f.ctx, actor, u)
				require.ErrorIs(t, err, tenant.ErrConflict, "emails are unique over all tenants: %+v", u)
			}
			_, err := f.c.CreateUser(f.ctx, actor, tenant.User{TenantID: "nope", Email: "bob@example.com", Role: tenant.RoleMember, PasswordHash: hash})
			require.ErrorIs(t, err, tenant.ErrNotFound, "an unknown tenant")
			_, err = f.c.UserByEmail(f.ctx, "bob@example.com")
			require.ErrorIs(t, err, tenant.ErrNotFound)
			require.Len(t, f.audits("user.create"), 1)
		}},
		{"Update", testUserUpdate},
		{"UpdateRevokesSessions", testUserUpdateRevokes},
		{"Delete", testUserDelete},
		{"ListOrder", func(t *testing.T, f *fixture) {
			f.tenantWithPlan("acme", tenant.Limits{})
			for _, e := range []string{"carl@example.com", "Ann@example.com", "bob@example.com"} {
				f.user("acme", e, tenant.RoleMember)
			}
			f.user("", "aaron@example.com", tenant.RoleOperator)
			us, next, err := f.c.ListUsers(f.ctx, "acme", tenant.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			var emails []string
			for _, u := range us {
				emails = append(emails, u.Email)
			}
			require.Equal(t, []string{"ann@example.com", "bob@example.com", "carl@example.com"}, emails)
		}},
	}
}

func testUserCreate(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	hash := tenant.HashPassword("correct horse", passwordParams)
	v := f.version()
	u, err := f.c.CreateUser(f.ctx, actor, tenant.User{TenantID: "acme", Email: "Ann@Example.COM", Name: "Ann",
		Role: tenant.RoleAdmin, PasswordHash: hash})
	require.NoError(t, err)
	require.Len(t, u.ID, 26, "a ULID")
	require.Equal(t, tenant.User{ID: u.ID, TenantID: "acme", Email: "ann@example.com", Name: "Ann", Role: tenant.RoleAdmin,
		PasswordHash: hash, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}, u)
	requireTime(t, f.clock.Now(), u.CreatedAt)
	requireTime(t, f.clock.Now(), u.UpdatedAt)
	got, err := f.c.GetUser(f.ctx, "acme", u.ID)
	require.NoError(t, err)
	require.Equal(t, u, got)
	for _, email := range []string{"ann@example.com", "ANN@example.com"} {
		got, err = f.c.UserByEmail(f.ctx, email)
		require.NoError(t, err, email)
		require.Equal(t, u, got)
	}
	_, err = f.c.UserByEmail(f.ctx, "bob@example.com")
	require.ErrorIs(t, err, tenant.ErrNotFound)
	got, err = f.c.UserByID(f.ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, u, got)
	_, err = f.c.UserByID(f.ctx, newID())
	require.ErrorIs(t, err, tenant.ErrNotFound)
	_, err = f.c.GetUser(f.ctx, "acme", newID())
	require.ErrorIs(t, err, tenant.ErrNotFound)
	e := f.requireAudited("user.create", "acme", u.ID)
	for k, v := range e.Details {
		require.NotContains(t, v, "argon2", "detail %s holds a password hash", k)
	}
	require.Greater(t, f.version(), v)
}

func testUserOperators(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	n, err := f.c.CountOperators(f.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	op := f.user("", "root@example.com", tenant.RoleOperator)
	f.user("", "sam@example.com", tenant.RoleOperator)
	member := f.user("acme", "ann@example.com", tenant.RoleMember)
	n, err = f.c.CountOperators(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n, "tenant users are not operators")

	got, err := f.c.GetUser(f.ctx, "", op.ID)
	require.NoError(t, err)
	require.Equal(t, op, got)
	f.requireAudited("user.create", "acme", member.ID)
	_, err = f.c.GetUser(f.ctx, "acme", op.ID)
	require.ErrorIs(t, err, tenant.ErrNotFound, "an operator is no tenant's user")
	_, err = f.c.GetUser(f.ctx, "", member.ID)
	require.ErrorIs(t, err, tenant.ErrNotFound, "a tenant's user is no operator")
	us, _, err := f.c.ListUsers(f.ctx, "", tenant.Page{})
	require.NoError(t, err)
	require.Len(t, us, 2)
	require.Equal(t, op, us[0])
	require.ErrorIs(t, f.c.DeleteUser(f.ctx, actor, "", member.ID), tenant.ErrNotFound)
	require.NoError(t, f.c.DeleteUser(f.ctx, actor, "", op.ID))
	n, err = f.c.CountOperators(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func testUserCreateInvalid(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	hash := tenant.HashPassword("pw", passwordParams)
	for _, tt := range []struct {
		name  string
		u     tenant.User
		field string
	}{
		{"bad email", tenant.User{TenantID: "acme", Email: "ann", Role: tenant.RoleAdmin, PasswordHash: hash}, "email"},
		{"named email", tenant.User{TenantID: "acme", Email: "Ann <ann@example.com>", Role: tenant.RoleAdmin, PasswordHash: hash}, "email"},
		{"operator of a tenant", tenant.User{TenantID: "acme", Email: "ann@example.com", Role: tenant.RoleOperator, PasswordHash: hash}, "role"},
		{"admin of none", tenant.User{Email: "ann@example.com", Role: tenant.RoleAdmin, PasswordHash: hash}, "tenant_id"},
		{"unknown role", tenant.User{TenantID: "acme", Email: "ann@example.com", Role: "root", PasswordHash: hash}, "role"},
		{"no password", tenant.User{TenantID: "acme", Email: "ann@example.com", Role: tenant.RoleAdmin}, "password"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.c.CreateUser(f.ctx, actor, tt.u)
			requireInvalid(t, err, tt.field)
		})
	}
	us, _, err := f.c.ListUsers(f.ctx, "acme", tenant.Page{})
	require.NoError(t, err)
	require.Empty(t, us)
	require.Empty(t, f.audits("user."))
}

func testUserUpdate(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	created := f.user("acme", "ann@example.com", tenant.RoleAdmin)
	s := f.session(created.ID, newID())
	f.clock.Advance(time.Hour)
	u := created
	u.Name, u.Role = "Ann B.", tenant.RoleMember
	got, err := f.c.UpdateUser(f.ctx, actor, u)
	require.NoError(t, err)
	require.Equal(t, "Ann B.", got.Name)
	require.Equal(t, tenant.RoleMember, got.Role)
	require.Equal(t, created.Email, got.Email)
	requireTime(t, created.CreatedAt, got.CreatedAt)
	requireTime(t, f.clock.Now(), got.UpdatedAt)
	read, err := f.c.GetUser(f.ctx, "acme", u.ID)
	require.NoError(t, err)
	require.Equal(t, got, read)
	f.requireAudited("user.update", "acme", u.ID)
	sess, err := f.c.SessionByHash(f.ctx, s.Hash)
	require.NoError(t, err)
	require.True(t, sess.RevokedAt.IsZero(), "a new name keeps the sessions")

	u.Role = tenant.RoleOperator
	_, err = f.c.UpdateUser(f.ctx, actor, u)
	requireInvalid(t, err, "role")
	u.ID = newID()
	u.Role = tenant.RoleMember
	_, err = f.c.UpdateUser(f.ctx, actor, u)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	require.Len(t, f.audits("user.update"), 1)
}

func testUserUpdateRevokes(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	for _, tt := range []struct {
		name   string
		change func(*tenant.User)
	}{
		{"disabled", func(u *tenant.User) { u.Disabled = true }},
		{"password", func(u *tenant.User) { u.PasswordHash = tenant.HashPassword("new one", passwordParams) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := f.user("acme", tt.name+"@example.com", tenant.RoleMember)
			other := f.user("acme", tt.name+"-other@example.com", tenant.RoleMember)
			s1, s2, kept := f.session(u.ID, newID()), f.session(u.ID, newID()), f.session(other.ID, newID())
			f.clock.Advance(time.Minute)
			tt.change(&u)
			got, err := f.c.UpdateUser(f.ctx, actor, u)
			require.NoError(t, err)
			require.Equal(t, u.Disabled, got.Disabled)
			require.Equal(t, u.PasswordHash, got.PasswordHash)
			for _, s := range []tenant.Session{s1, s2} {
				read, err := f.c.SessionByHash(f.ctx, s.Hash)
				require.NoError(t, err)
				requireTime(t, f.clock.Now(), read.RevokedAt)
			}
			read, err := f.c.SessionByHash(f.ctx, kept.Hash)
			require.NoError(t, err)
			require.True(t, read.RevokedAt.IsZero(), "another user's session")
			e := f.requireAudited("user.update", "acme", u.ID)
			for k, v := range e.Details {
				require.NotContains(t, v, "argon2", "detail %s holds a password hash", k)
			}
		})
	}
}

func testUserDelete(t *testing.T, f *fixture) {
	f.tenantWithPlan("acme", tenant.Limits{})
	u := f.user("acme", "ann@example.com", tenant.RoleAdmin)
	s := f.session(u.ID, newID())
	f.clock.Advance(time.Minute)
	require.NoError(t, f.c.DeleteUser(f.ctx, actor, "acme", u.ID))
	_, err := f.c.GetUser(f.ctx, "acme", u.ID)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	_, err = f.c.UserByEmail(f.ctx, u.Email)
	require.ErrorIs(t, err, tenant.ErrNotFound)
	_, err = f.c.SessionByHash(f.ctx, s.Hash)
	require.ErrorIs(t, err, tenant.ErrNotFound, "sessions go with their user")
	f.requireAudited("user.delete", "acme", u.ID)
	require.ErrorIs(t, f.c.DeleteUser(f.ctx, actor, "acme", u.ID), tenant.ErrNotFound)
	f.user("acme", "ann@example.com", tenant.RoleMember) // the email is free again
}
