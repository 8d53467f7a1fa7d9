package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// TestRevokeDuringRotations checks that revoking sessions while they are being rotated
// leaves none of them valid: a rotation committing meanwhile must not leave its new
// session behind (a thief rotating a stolen token would keep access).
func TestRevokeDuringRotations(t *testing.T) {
	params := tenant.PasswordParams{Memory: 64, Time: 1, Threads: 1}
	for _, tt := range []struct {
		name   string
		revoke func(ctx context.Context, s *Store, u tenant.User, family string) error
	}{
		{"family", func(ctx context.Context, s *Store, _ tenant.User, family string) error {
			return s.RevokeSessions(ctx, family)
		}},
		{"user", func(ctx context.Context, s *Store, u tenant.User, _ string) error {
			return s.RevokeUserSessions(ctx, u.ID)
		}},
		{"password change", func(ctx context.Context, s *Store, u tenant.User, _ string) error {
			u.PasswordHash = tenant.HashPassword("new", params)
			_, err := s.UpdateUser(ctx, tenant.Actor{Kind: "cli"}, u)
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t, newDatabase(t), nil)
			ctx := context.Background()
			u, err := s.CreateUser(ctx, tenant.Actor{Kind: "cli"}, tenant.User{Email: "op@example.com",
				Role: tenant.RoleOperator, PasswordHash: tenant.HashPassword("pw", params)})
			require.NoError(t, err)
			for range 20 {
				family := ulid.Make().String()
				first := testSession(u.ID, family)
				require.NoError(t, s.CreateSession(ctx, first))
				var wg sync.WaitGroup
				var rotateErr, revokeErr error
				wg.Go(func() { rotateErr = rotateChain(ctx, s, first, 10000) })
				wg.Go(func() { revokeErr = tt.revoke(ctx, s, u, family) })
				wg.Wait()
				require.ErrorIs(t, rotateErr, tenant.ErrConflict, "the chain ends when its session is revoked")
				require.NoError(t, revokeErr)
				var valid int
				require.NoError(t, s.pool.QueryRow(ctx, `SELECT count(*) FROM sessions
					WHERE family = $1 AND revoked_at IS NULL`, family).Scan(&valid))
				require.Zero(t, valid, "sessions of the family left valid")
			}
		})
	}
}

func testSession(userID, family string) tenant.Session {
	_, hash := tenant.NewToken()
	return tenant.Session{ID: ulid.Make().String(), UserID: userID, Family: family, Hash: hash,
		ExpiresAt: time.Now().Add(time.Hour)}
}

// rotateChain rotates first, then each session it made, until an error or n times.
func rotateChain(ctx context.Context, s *Store, first tenant.Session, n int) error {
	old := first.ID
	for range n {
		next := testSession(first.UserID, first.Family)
		if err := s.RotateSession(ctx, old, next); err != nil {
			return err
		}
		old = next.ID
	}
	return nil
}
