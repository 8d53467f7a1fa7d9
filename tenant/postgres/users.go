package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const userColumns = `id, coalesce(tenant_id, ''), email, name, role, password_hash, disabled, created_at, updated_at`

// sameTenant matches the users of the tenant in parameter n, or the operators for "".
func sameTenant(n int) string {
	return fmt.Sprintf(`tenant_id IS NOT DISTINCT FROM nullif($%d, '')`, n)
}

func scanUser(row pgx.Row) (tenant.User, error) {
	var u tenant.User
	err := row.Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled,
		&u.CreatedAt, &u.UpdatedAt)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return u, err
}

// CreateUser stores u, its email in lowercase, giving it an ID.
func (s *Store) CreateUser(ctx context.Context, actor tenant.Actor, u tenant.User) (tenant.User, error) {
	if err := u.Validate(); err != nil {
		return tenant.User{}, err
	}
	u.Email, _ = tenant.NormalizeEmail(u.Email)
	u.ID = ulid.Make().String()
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		u.CreatedAt, u.UpdatedAt = now, now
		_, err := tx.Exec(ctx, `INSERT INTO users (id, tenant_id, email, name, role, password_hash, disabled,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
			u.ID, nullString(u.TenantID), u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, now)
		if err != nil {
			return tenant.AuditEntry{}, classify(err, fmt.Errorf("%w: tenant %s", tenant.ErrNotFound, u.TenantID))
		}
		return tenant.AuditEntry{TenantID: u.TenantID, Action: "user.create", Target: u.ID,
			Details: map[string]string{"email": u.Email, "role": string(u.Role)}}, nil
	})
	if err != nil {
		return tenant.User{}, fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return u, nil
}

// GetUser returns a user of a tenant ("": an operator).
func (s *Store) GetUser(ctx context.Context, tenantID, id string) (tenant.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = $1 AND `+sameTenant(2), id, tenantID))
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user %s: %w", id, notFound(err))
	}
	return u, nil
}

// UserByEmail finds a user of any tenant; an address that is not one is not found.
func (s *Store) UserByEmail(ctx context.Context, email string) (tenant.User, error) {
	norm, err := tenant.NormalizeEmail(email)
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user by email: %w", tenant.ErrNotFound)
	}
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, norm))
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user by email: %w", notFound(err))
	}
	return u, nil
}

// UserByID finds a user of any tenant.
func (s *Store) UserByID(ctx context.Context, id string) (tenant.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return tenant.User{}, fmt.Errorf("get user %s: %w", id, notFound(err))
	}
	return u, nil
}

// ListUsers returns a tenant's users (or the operators, for "") by email.
func (s *Store) ListUsers(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.User, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	us, err := collect(ctx, s.pool, scanUser, `SELECT `+userColumns+` FROM users
		WHERE `+sameTenant(1)+` AND email > $2 ORDER BY email LIMIT $3`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	us, next := tenant.CutPage(us, p, func(u tenant.User) string { return u.Email })
	return us, next, nil
}

// UpdateUser replaces the user's name, role, password hash and disabled flag; its email
// stays. Disabling the user or changing its password revokes its sessions.
func (s *Store) UpdateUser(ctx context.Context, actor tenant.Actor, u tenant.User) (tenant.User, error) {
	var out tenant.User
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		old, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users
			WHERE id = $1 AND `+sameTenant(2)+` FOR NO KEY UPDATE`, u.ID, u.TenantID))
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		u.Email = old.Email
		if err := u.Validate(); err != nil {
			return tenant.AuditEntry{}, err
		}
		out, err = scanUser(tx.QueryRow(ctx, `UPDATE users SET name = $2, role = $3, password_hash = $4,
			disabled = $5, updated_at = $6 WHERE id = $1 RETURNING `+userColumns,
			u.ID, u.Name, u.Role, u.PasswordHash, u.Disabled, now))
		if err != nil {
			return tenant.AuditEntry{}, err
		}
		if (u.Disabled && !old.Disabled) || u.PasswordHash != old.PasswordHash {
			if _, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = $2
				WHERE user_id = $1 AND revoked_at IS NULL`, u.ID, now); err != nil {
				return tenant.AuditEntry{}, fmt.Errorf("revoke sessions: %w", err)
			}
		}
		return tenant.AuditEntry{TenantID: u.TenantID, Action: "user.update", Target: u.ID,
			Details: userChanges(old, out)}, nil
	})
	if err != nil {
		return tenant.User{}, fmt.Errorf("update user %s: %w", u.ID, err)
	}
	return out, nil
}

// userChanges tells what an update changed, without the hash.
func userChanges(old, u tenant.User) map[string]string {
	d := map[string]string{}
	if old.Name != u.Name {
		d["name"] = u.Name
	}
	if old.Role != u.Role {
		d["role"] = string(u.Role)
	}
	if old.Disabled != u.Disabled {
		d["disabled"] = fmt.Sprint(u.Disabled)
	}
	if old.PasswordHash != u.PasswordHash {
		d["password"] = "changed"
	}
	return d
}

// DeleteUser deletes the user of a tenant ("": an operator); its sessions go with it.
func (s *Store) DeleteUser(ctx context.Context, actor tenant.Actor, tenantID, id string) error {
	err := s.change(ctx, actor, func(tx pgx.Tx, _ time.Time) (tenant.AuditEntry, error) {
		var email string
		err := tx.QueryRow(ctx, `DELETE FROM users WHERE id = $1 AND `+sameTenant(2)+` RETURNING email`,
			id, tenantID).Scan(&email)
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		return tenant.AuditEntry{TenantID: tenantID, Action: "user.delete", Target: id,
			Details: map[string]string{"email": email}}, nil
	})
	if err != nil {
		return fmt.Errorf("delete user %s: %w", id, err)
	}
	return nil
}

// CountOperators counts the users without a tenant.
func (s *Store) CountOperators(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users WHERE tenant_id IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count operators: %w", err)
	}
	return n, nil
}
