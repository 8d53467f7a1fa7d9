package auth

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func TestEnsureOperator(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	for _, bad := range []struct{ email, password string }{
		{"not an email", "long enough password"},
		{"root@example.com", "short"},
		{"root@example.com", "elevenchars"},
	} {
		created, err := EnsureOperator(ctx, e.cat, bad.email, bad.password, cheap)
		require.ErrorIs(t, err, tenant.ErrInvalid, bad)
		require.False(t, created)
	}
	n, err := e.cat.CountOperators(ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	created, err := EnsureOperator(ctx, e.cat, "Root@Example.com", "twelve chars", cheap)
	require.NoError(t, err)
	require.True(t, created)
	created, err = EnsureOperator(ctx, e.cat, "Root@Example.com", "twelve chars", cheap)
	require.NoError(t, err)
	require.False(t, created, "idempotent")
	created, err = EnsureOperator(ctx, e.cat, "other@example.com", "another password", cheap)
	require.NoError(t, err)
	require.False(t, created, "only the first operator")
	n, err = e.cat.CountOperators(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)

	tok, err := e.svc.Login(ctx, "root@example.com", "twelve chars", "192.0.2.1")
	require.NoError(t, err)
	require.Equal(t, tenant.RoleOperator, tok.Principal.Role)
	require.Empty(t, tok.Principal.TenantID)

	entries := e.audit(t, "user.create")
	require.Len(t, entries, 1)
	require.Equal(t, "config", entries[0].Actor.Kind)
}
