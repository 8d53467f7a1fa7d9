package auth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func (e *env) session(t *testing.T, refresh string) tenant.Session {
	t.Helper()
	s, err := e.cat.SessionByHash(context.Background(), tenant.HashToken(refresh))
	require.NoError(t, err)
	return s
}

func TestRefresh(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.addUser(t, "acme", "ann@example.com", tenant.RoleAdmin)
	first, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)

	e.clock.Advance(10 * time.Minute)
	second, err := e.svc.Refresh(ctx, first.RefreshToken, "192.0.2.2")
	require.NoError(t, err)
	require.Equal(t, tenant.Principal{TenantID: "acme", UserID: u.ID, Role: tenant.RoleAdmin}, second.Principal)
	require.NotEqual(t, first.RefreshToken, second.RefreshToken)
	require.NotEqual(t, first.AccessToken, second.AccessToken)
	require.Equal(t, e.clock.Now().Add(720*time.Hour), second.RefreshExpiresAt)
	got, err := e.svc.Authenticate(ctx, second.AccessToken)
	require.NoError(t, err)
	require.Equal(t, second.Principal, got)

	old, next := e.session(t, first.RefreshToken), e.session(t, second.RefreshToken)
	require.False(t, old.RevokedAt.IsZero(), "the used session is revoked")
	require.True(t, next.RevokedAt.IsZero())
	require.Equal(t, old.Family, next.Family)
	require.NotEqual(t, old.ID, next.ID)
	require.Equal(t, "192.0.2.2", next.Address)

	// A role changed meanwhile shows in the next access token.
	u.Role = tenant.RoleMember
	_, err = e.cat.UpdateUser(ctx, tenant.Actor{Kind: "cli"}, u)
	require.NoError(t, err)
	third, err := e.svc.Refresh(ctx, second.RefreshToken, "192.0.2.2")
	require.NoError(t, err)
	require.Equal(t, tenant.RoleMember, third.Principal.Role)
}

func TestRefreshReuseRevokesTheFamily(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	stolen, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	other, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.9")
	require.NoError(t, err)
	legit, err := e.svc.Refresh(ctx, stolen.RefreshToken, "192.0.2.1")
	require.NoError(t, err)

	_, err = e.svc.Refresh(ctx, stolen.RefreshToken, "203.0.113.66")
	require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	_, err = e.svc.Refresh(ctx, legit.RefreshToken, "192.0.2.1")
	require.ErrorIs(t, err, tenant.ErrUnauthenticated, "the rotated token of the family stops working too")
	require.False(t, e.session(t, legit.RefreshToken).RevokedAt.IsZero())

	reuse := e.audit(t, "auth.refresh_reuse")
	require.NotEmpty(t, reuse)
	require.Equal(t, e.session(t, stolen.RefreshToken).Family, reuse[len(reuse)-1].Target)
	require.Equal(t, "203.0.113.66", reuse[len(reuse)-1].Actor.Address)
	require.Equal(t, "acme", reuse[len(reuse)-1].TenantID)

	_, err = e.svc.Refresh(ctx, other.RefreshToken, "192.0.2.9")
	require.NoError(t, err, "another sign-in of the same user is another family")
}

func TestRefreshRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		before func(t *testing.T, e *env, u tenant.User, tok Tokens) string
	}{
		{"unknown token", func(*testing.T, *env, tenant.User, Tokens) string {
			tok, _ := tenant.NewToken()
			return tok
		}},
		{"garbage", func(*testing.T, *env, tenant.User, Tokens) string { return "abc" }},
		{"empty", func(*testing.T, *env, tenant.User, Tokens) string { return "" }},
		{"tampered", func(_ *testing.T, _ *env, _ tenant.User, tok Tokens) string {
			return tok.RefreshToken + "x"
		}},
		{"expired", func(_ *testing.T, e *env, _ tenant.User, tok Tokens) string {
			e.clock.Advance(720 * time.Hour)
			return tok.RefreshToken
		}},
		{"disabled user", func(t *testing.T, e *env, u tenant.User, tok Tokens) string {
			u.Disabled = true
			_, err := e.cat.UpdateUser(ctx, tenant.Actor{Kind: "cli"}, u)
			require.NoError(t, err)
			return tok.RefreshToken
		}},
		{"deleted user", func(t *testing.T, e *env, u tenant.User, tok Tokens) string {
			require.NoError(t, e.cat.DeleteUser(ctx, tenant.Actor{Kind: "cli"}, u.TenantID, u.ID))
			return tok.RefreshToken
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			u := e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
			tok, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
			require.NoError(t, err)
			_, err = e.svc.Refresh(ctx, tc.before(t, e, u, tok), "192.0.2.1")
			require.ErrorIs(t, err, tenant.ErrUnauthenticated)
		})
	}
}

func TestRefreshJustBeforeExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	tok, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	e.clock.Advance(720*time.Hour - time.Second)
	_, err = e.svc.Refresh(ctx, tok.RefreshToken, "192.0.2.1")
	require.NoError(t, err)
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	first, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	other, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	rotated, err := e.svc.Refresh(ctx, first.RefreshToken, "192.0.2.1")
	require.NoError(t, err)

	require.NoError(t, e.svc.Logout(ctx, rotated.RefreshToken))
	_, err = e.svc.Refresh(ctx, rotated.RefreshToken, "192.0.2.1")
	require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	require.False(t, e.session(t, first.RefreshToken).RevokedAt.IsZero())

	require.NoError(t, e.svc.Logout(ctx, rotated.RefreshToken), "twice")
	require.NoError(t, e.svc.Logout(ctx, "unknown"))
	require.NoError(t, e.svc.Logout(ctx, ""))

	_, err = e.svc.Refresh(ctx, other.RefreshToken, "192.0.2.1")
	require.NoError(t, err, "another sign-in stays")
}

func TestConcurrentRefresh(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	tok, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)

	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.svc.Refresh(ctx, tok.RefreshToken, "192.0.2.1")
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	}
	require.Equal(t, 1, ok, "exactly one rotation of a token")
}
