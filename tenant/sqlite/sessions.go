package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

const sessionCols = `id, user_id, family, hash, address, expires_at, revoked_at, created_at`

func scanSession(r scanner) (tenant.Session, error) {
	var s tenant.Session
	var expires, revoked, created sql.NullInt64
	err := r.Scan(&s.ID, &s.UserID, &s.Family, &s.Hash, &s.Address, &expires, &revoked, &created)
	s.ExpiresAt, s.RevokedAt, s.CreatedAt = timeOf(expires), timeOf(revoked), timeOf(created)
	return s, err
}

// insertSession stores s, made now unless it says when.
func insertSession(ctx context.Context, tx *sql.Tx, s tenant.Session, now time.Time) error {
	if s.ID == "" {
		return tenant.Invalid("id", "a session needs an id")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.Family, s.Hash, s.Address, micros(s.ExpiresAt), micros(s.RevokedAt), micros(s.CreatedAt))
	return dbErr(err)
}

// CreateSession stores a session.
func (s *Store) CreateSession(ctx context.Context, sess tenant.Session) error {
	now := stored(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error { return insertSession(ctx, tx, sess, now) })
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash finds a session by its refresh token's hash, revoked or not.
func (s *Store) SessionByHash(ctx context.Context, hash string) (tenant.Session, error) {
	sess, err := scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE hash = ?`, hash))
	if err != nil {
		return tenant.Session{}, fmt.Errorf("get session: %w", notFound(err))
	}
	return sess, nil
}

// RotateSession revokes old, unless it was revoked already (ErrConflict), and stores next.
func (s *Store) RotateSession(ctx context.Context, oldID string, next tenant.Session) error {
	now := stored(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(now), oldID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("%w: session %s is revoked or unknown", tenant.ErrConflict, oldID)
		}
		return insertSession(ctx, tx, next, now)
	})
	if err != nil {
		return fmt.Errorf("rotate session: %w", err)
	}
	return nil
}

// RevokeSessions revokes every session of a family.
func (s *Store) RevokeSessions(ctx context.Context, family string) error {
	return s.revokeSessions(ctx, "family", family)
}

// RevokeUserSessions revokes every session of a user.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) error {
	return s.revokeSessions(ctx, "user_id", userID)
}

// revokeSessions revokes the sessions whose column (a constant) is v; revoked ones keep
// their time.
func (s *Store) revokeSessions(ctx context.Context, column, v string) error {
	now := stored(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE `+column+` = ? AND revoked_at IS NULL`, micros(now), v)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// SigningKeys returns the keys not yet expired at now, newest first.
func (s *Store) SigningKeys(ctx context.Context, now time.Time) ([]tenant.SigningKey, error) {
	ks, err := queryAll(ctx, s.db, func(r scanner) (tenant.SigningKey, error) {
		var k tenant.SigningKey
		var created, retires, expires sql.NullInt64
		err := r.Scan(&k.ID, &k.PrivateKey, &created, &retires, &expires)
		k.CreatedAt, k.RetiresAt, k.ExpiresAt = timeOf(created), timeOf(retires), timeOf(expires)
		return k, err
	}, `SELECT id, private_key, created_at, retires_at, expires_at FROM signing_keys WHERE expires_at > ?
		ORDER BY created_at DESC, id DESC`, now.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return ks, nil
}

// AddSigningKey stores a signing key.
func (s *Store) AddSigningKey(ctx context.Context, k tenant.SigningKey) error {
	if k.ID == "" {
		return tenant.Invalid("id", "a signing key needs an id")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (id, private_key, created_at, retires_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, k.ID, k.PrivateKey, k.CreatedAt.UnixMicro(), k.RetiresAt.UnixMicro(), k.ExpiresAt.UnixMicro())
		return dbErr(err)
	})
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", k.ID, err)
	}
	return nil
}
