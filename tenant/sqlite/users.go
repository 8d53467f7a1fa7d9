package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const userCols = `id, tenant_id, email, name, role, password_hash, disabled, created_at, updated_at`

func scanUser(r scanner) (tenant.User, error) {
	var u tenant.User
	var tenantID sql.NullString
	var created, updated sql.NullInt64
	err := r.Scan(&u.ID, &tenantID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &created, &updated)
	u.TenantID, u.CreatedAt, u.UpdatedAt = tenantID.String, timeOf(created), timeOf(updated)
	return u, err
}

// getUser reads a user of tenantID ("" for operators): tenant_id IS NULL matches only
// operators, so that no tenant's id reaches them.
func getUser(ctx context.Context, q querier, tenantID, id string) (tenant.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ? AND tenant_id IS ?`,
		id, nullString(tenantID)))
	return u, notFound(err)
}

// userDetails say what a user change set; never the password hash.
func userDetails(u tenant.User) map[string]string {
	return map[string]string{"email": u.Email, "role": string(u.Role), "disabled": fmt.Sprint(u.Disabled)}
}

// CreateUser stores a new user with a normalised email, giving it an ID.
func (s *Store) CreateUser(ctx context.Context, actor tenant.Actor, u tenant.User) (tenant.User, error) {
	if err := u.Validate(); err != nil {
		return tenant.User{}, err
	}
	u.Email, _ = tenant.NormalizeEmail(u.Email) // valid: Validate checked it
	u.ID = ulid.Make().String()
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		if u.TenantID != "" {
			if _, err := getTenant(ctx, tx, u.TenantID); err != nil {
				return change{}, fmt.Errorf("tenant %s: %w", u.TenantID, err)
			}
		}
		u.CreatedAt, u.UpdatedAt = now, now
		_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, nullString(u.TenantID), u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, micros(now), micros(now))
		return change{action: "user.create", tenantID: u.TenantID, target: u.ID, details: userDetails(u)}, dbErr(err)
	})
	if err != nil {
		return tenant.User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// GetUser returns a user of tenantID ("" for operators).
func (s *Store) GetUser(ctx context.Context, tenantID, id string) (tenant.User, error) {
	u, err := getUser(ctx, s.db, tenantID, id)
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user %s: %w", id, err)
	}
	return u, nil
}

// UserByEmail finds a user of any tenant.
func (s *Store) UserByEmail(ctx context.Context, email string) (tenant.User, error) {
	norm, err := tenant.NormalizeEmail(email)
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user by email: %w", tenant.ErrNotFound)
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, norm))
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user by email: %w", notFound(err))
	}
	return u, nil
}

// UserByID finds a user of any tenant.
func (s *Store) UserByID(ctx context.Context, id string) (tenant.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user %s: %w", id, notFound(err))
	}
	return u, nil
}

// ListUsers lists the users of tenantID ("" for operators) by email.
func (s *Store) ListUsers(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.User, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	us, err := queryAll(ctx, s.db, scanUser, `SELECT `+userCols+` FROM users WHERE tenant_id IS ? AND email > ?
		ORDER BY email LIMIT ?`, nullString(tenantID), p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	us, next := tenant.CutPage(us, p, func(u tenant.User) string { return u.Email })
	return us, next, nil
}

// UpdateUser replaces the user's name, role, password hash and disabled flag, and revokes
// its sessions when it is disabled or its password changes.
func (s *Store) UpdateUser(ctx context.Context, actor tenant.Actor, u tenant.User) (tenant.User, error) {
	if err := u.Validate(); err != nil {
		return tenant.User{}, err
	}
	var out tenant.User
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		old, err := getUser(ctx, tx, u.TenantID, u.ID)
		if err != nil {
			return change{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, password_hash = ?, disabled = ?,
			updated_at = ? WHERE id = ?`, u.Name, u.Role, u.PasswordHash, u.Disabled, micros(now), u.ID); err != nil {
			return change{}, err
		}
		if (u.Disabled && !old.Disabled) || u.PasswordHash != old.PasswordHash {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
				micros(now), u.ID); err != nil {
				return change{}, fmt.Errorf("revoke sessions: %w", err)
			}
		}
		out, err = getUser(ctx, tx, u.TenantID, u.ID)
		d := userDetails(out)
		if u.PasswordHash != old.PasswordHash {
			d["password"] = "changed"
		}
		return change{action: "user.update", tenantID: u.TenantID, target: u.ID, details: d}, err
	})
	if err != nil {
		return tenant.User{}, fmt.Errorf("update user %s: %w", u.ID, err)
	}
	return out, nil
}

// DeleteUser deletes a user of tenantID ("" for operators) and its sessions.
func (s *Store) DeleteUser(ctx context.Context, actor tenant.Actor, tenantID, id string) error {
	err := s.change(ctx, actor, func(tx *sql.Tx, _ time.Time) (change, error) {
		err := affected(tx.ExecContext(ctx, `DELETE FROM users WHERE id = ? AND tenant_id IS ?`, id, nullString(tenantID)))
		return change{action: "user.delete", tenantID: tenantID, target: id}, err
	})
	if err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	return nil
}

// CountOperators counts the users without a tenant.
func (s *Store) CountOperators(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE tenant_id IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count operators: %w", err)
	}
	return n, nil
}
