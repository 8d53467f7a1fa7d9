package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const keyColumns = `id, tenant_id, name, scopes, hash, expires_at, last_used_at, revoked_at, managed_by, created_at`

func scanKey(row pgx.Row) (tenant.APIKey, error) {
	var k tenant.APIKey
	var scopes []string
	var expires, used, revoked *time.Time
	if err := row.Scan(&k.ID, &k.TenantID, &k.Name, &scopes, &k.Hash, &expires, &used, &revoked,
		&k.ManagedBy, &k.CreatedAt); err != nil {
		return tenant.APIKey{}, err
	}
	for _, sc := range scopes {
		k.Scopes = append(k.Scopes, tenant.Scope(sc))
	}
	k.ExpiresAt, k.LastUsedAt, k.RevokedAt = fromNull(expires), fromNull(used), fromNull(revoked)
	k.CreatedAt = k.CreatedAt.UTC()
	return k, nil
}

func scopeStrings(scopes []tenant.Scope) []string {
	out := make([]string, len(scopes))
	for i, sc := range scopes {
		out[i] = string(sc)
	}
	return out
}

// CreateKey stores k, giving it an ID unless it has one.
func (s *Store) CreateKey(ctx context.Context, actor tenant.Actor, k tenant.APIKey) (tenant.APIKey, error) {
	if err := k.Validate(); err != nil {
		return tenant.APIKey{}, err
	}
	if k.ID == "" {
		k.ID = ulid.Make().String()
	}
	var out tenant.APIKey
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var err error
		out, err = scanKey(tx.QueryRow(ctx, `INSERT INTO api_keys (`+keyColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING `+keyColumns,
			k.ID, k.TenantID, k.Name, scopeStrings(k.Scopes), k.Hash, nullTime(k.ExpiresAt),
			nullTime(k.LastUsedAt), nullTime(k.RevokedAt), k.ManagedBy, now))
		if err != nil {
			return tenant.AuditEntry{}, classify(err, fmt.Errorf("%w: tenant %s", tenant.ErrNotFound, k.TenantID))
		}
		return tenant.AuditEntry{TenantID: k.TenantID, Action: "key.create", Target: k.ID,
			Details: map[string]string{"name": k.Name, "scopes": strings.Join(scopeStrings(k.Scopes), ",")}}, nil
	})
	if err != nil {
		return tenant.APIKey{}, fmt.Errorf("create key %s: %w", k.Name, err)
	}
	return out, nil
}

// GetKey returns a tenant's key by id, revoked or not.
func (s *Store) GetKey(ctx context.Context, tenantID, id string) (tenant.APIKey, error) {
	k, err := scanKey(s.pool.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys
		WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if err != nil {
		return tenant.APIKey{}, fmt.Errorf("get key %s: %w", id, notFound(err))
	}
	return k, nil
}

// ListKeys returns a tenant's keys, revoked ones too, by id.
func (s *Store) ListKeys(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.APIKey, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ks, err := collect(ctx, s.pool, scanKey, `SELECT `+keyColumns+` FROM api_keys
		WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list keys of %s: %w", tenantID, err)
	}
	ks, next := tenant.CutPage(ks, p, func(k tenant.APIKey) string { return k.ID })
	return ks, next, nil
}

// RevokeKey marks a tenant's key revoked; revoking it again changes nothing.
func (s *Store) RevokeKey(ctx context.Context, actor tenant.Actor, tenantID, id string) error {
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var revoked *time.Time
		var name string
		err := tx.QueryRow(ctx, `SELECT name, revoked_at FROM api_keys WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
			id, tenantID).Scan(&name, &revoked)
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		if revoked != nil {
			return tenant.AuditEntry{}, errUnchanged
		}
		if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE id = $1`, id, now); err != nil {
			return tenant.AuditEntry{}, err
		}
		return tenant.AuditEntry{TenantID: tenantID, Action: "key.revoke", Target: id,
			Details: map[string]string{"name": name}}, nil
	})
	if err != nil {
		return fmt.Errorf("revoke key %s: %w", id, err)
	}
	return nil
}

// TouchKeys records when keys were last used, keeping the later time; unknown ids are
// skipped. The rows are updated in id order, so that concurrent calls cannot deadlock.
func (s *Store) TouchKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	ids := make([]string, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	times := make([]time.Time, len(ids))
	for i, id := range ids {
		times[i] = dbTime(used[id])
	}
	err := retry(ctx, func() error {
		_, err := s.pool.Exec(ctx, `UPDATE api_keys k SET last_used_at = greatest(k.last_used_at, u.at)
		FROM (SELECT k.id, u.at FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
			JOIN api_keys k ON k.id = u.id ORDER BY k.id FOR UPDATE OF k) AS u
		WHERE k.id = u.id`, ids, times)
		return err
	})
	if err != nil {
		return fmt.Errorf("touch keys: %w", err)
	}
	return nil
}
