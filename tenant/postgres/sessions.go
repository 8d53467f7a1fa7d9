package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolly-logs/trolly/tenant"
)

const sessionColumns = `id, user_id, family, hash, address, expires_at, revoked_at, created_at`

func scanSession(row pgx.Row) (tenant.Session, error) {
	var ss tenant.Session
	var revoked *time.Time
	if err := row.Scan(&ss.ID, &ss.UserID, &ss.Family, &ss.Hash, &ss.Address, &ss.ExpiresAt, &revoked,
		&ss.CreatedAt); err != nil {
		return tenant.Session{}, err
	}
	ss.RevokedAt = fromNull(revoked)
	ss.ExpiresAt, ss.CreatedAt = ss.ExpiresAt.UTC(), ss.CreatedAt.UTC()
	return ss, nil
}

// A user's row guards its sessions: creating or rotating one holds it FOR SHARE, and
// revoking a family or every session of a user holds it FOR NO KEY UPDATE (as UpdateUser
// and DeleteUser do), so that a revocation waits for the rotations in flight and then sees
// the sessions they stored. Without it, a session stored by a rotation that commits while
// its family is being revoked would stay valid.

// insertSession stores ss in tx, which holds its user's row (shareUser); the user must exist.
func (s *Store) insertSession(ctx context.Context, tx pgx.Tx, ss tenant.Session) error {
	if ss.CreatedAt.IsZero() {
		ss.CreatedAt = s.clock()
	}
	_, err := tx.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		ss.ID, ss.UserID, ss.Family, ss.Hash, ss.Address, dbTime(ss.ExpiresAt), nullTime(ss.RevokedAt),
		dbTime(ss.CreatedAt))
	return classify(err, fmt.Errorf("%w: user %s", tenant.ErrNotFound, ss.UserID))
}

// shareUser holds the user's row until tx ends, for a session to be stored.
func shareUser(ctx context.Context, tx pgx.Tx, userID string) error {
	if _, err := tx.Exec(ctx, `SELECT FROM users WHERE id = $1 FOR SHARE`, userID); err != nil {
		return fmt.Errorf("lock user: %w", err)
	}
	return nil
}

// CreateSession stores a sign-in's session.
func (s *Store) CreateSession(ctx context.Context, ss tenant.Session) error {
	if ss.ID == "" {
		return fmt.Errorf("create session: %w", tenant.Invalid("id", "a session needs an id"))
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := shareUser(ctx, tx, ss.UserID); err != nil {
			return err
		}
		return s.insertSession(ctx, tx, ss)
	})
	if err != nil {
		return fmt.Errorf("create session %s: %w", ss.ID, err)
	}
	return nil
}

// SessionByHash finds a session by its refresh token's hash, revoked or not.
func (s *Store) SessionByHash(ctx context.Context, hash string) (tenant.Session, error) {
	ss, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE hash = $1`, hash))
	if err != nil {
		return tenant.Session{}, fmt.Errorf("get session by hash: %w", notFound(err))
	}
	return ss, nil
}

// RotateSession revokes old and stores next in one transaction. Of two rotations of one
// session, the second waits for the first's row lock, then finds old revoked.
func (s *Store) RotateSession(ctx context.Context, oldID string, next tenant.Session) error {
	if next.ID == "" {
		return fmt.Errorf("rotate session %s: %w", oldID, tenant.Invalid("id", "a session needs an id"))
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := shareUser(ctx, tx, next.UserID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
			oldID, s.clock())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: the session is revoked or unknown", tenant.ErrConflict)
		}
		return s.insertSession(ctx, tx, next)
	})
	if err != nil {
		return fmt.Errorf("rotate session %s: %w", oldID, err)
	}
	return nil
}

// RevokeSessions revokes every session of a family.
func (s *Store) RevokeSessions(ctx context.Context, family string) error {
	err := s.revokeSessions(ctx, `SELECT FROM users WHERE id IN (SELECT user_id FROM sessions WHERE family = $1)
		ORDER BY id FOR NO KEY UPDATE`, `family = $1`, family)
	if err != nil {
		return fmt.Errorf("revoke session family %s: %w", family, err)
	}
	return nil
}

// RevokeUserSessions revokes every session of a user.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) error {
	err := s.revokeSessions(ctx, `SELECT FROM users WHERE id = $1 FOR NO KEY UPDATE`, `user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("revoke sessions of user %s: %w", userID, err)
	}
	return nil
}

// revokeSessions locks the users lockUsers selects, then revokes the sessions where
// selects; both take arg as $1.
func (s *Store) revokeSessions(ctx context.Context, lockUsers, where, arg string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockUsers, arg); err != nil {
			return fmt.Errorf("lock users: %w", err)
		}
		_, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = $2 WHERE `+where+` AND revoked_at IS NULL`,
			arg, s.clock())
		return err
	})
}

const signingKeyColumns = `id, private_key, created_at, retires_at, expires_at`

func scanSigningKey(row pgx.Row) (tenant.SigningKey, error) {
	var k tenant.SigningKey
	err := row.Scan(&k.ID, &k.PrivateKey, &k.CreatedAt, &k.RetiresAt, &k.ExpiresAt)
	k.CreatedAt, k.RetiresAt, k.ExpiresAt = k.CreatedAt.UTC(), k.RetiresAt.UTC(), k.ExpiresAt.UTC()
	return k, err
}

// SigningKeys returns the keys that expire after now, newest first.
func (s *Store) SigningKeys(ctx context.Context, now time.Time) ([]tenant.SigningKey, error) {
	ks, err := collect(ctx, s.pool, scanSigningKey, `SELECT `+signingKeyColumns+` FROM signing_keys
		WHERE expires_at > $1 ORDER BY created_at DESC, id DESC`, dbTime(now))
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return ks, nil
}

// AddSigningKey stores k; a taken id is ErrConflict.
func (s *Store) AddSigningKey(ctx context.Context, k tenant.SigningKey) error {
	if k.ID == "" {
		return fmt.Errorf("add signing key: %w", tenant.Invalid("id", "a signing key needs an id"))
	}
	if len(k.PrivateKey) == 0 {
		return fmt.Errorf("add signing key %s: %w", k.ID, tenant.Invalid("private_key", "is required"))
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.clock()
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.PrivateKey, dbTime(k.CreatedAt), dbTime(k.RetiresAt), dbTime(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", k.ID, classify(err, tenant.ErrNotFound))
	}
	return nil
}
