package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const keyCols = `id, tenant_id, name, scopes, hash, expires_at, last_used_at, revoked_at, managed_by, created_at`

func scanKey(r scanner) (tenant.APIKey, error) {
	var k tenant.APIKey
	var scopes string
	var expires, used, revoked, created sql.NullInt64
	if err := r.Scan(&k.ID, &k.TenantID, &k.Name, &scopes, &k.Hash, &expires, &used, &revoked, &k.ManagedBy, &created); err != nil {
		return k, err
	}
	if err := json.Unmarshal([]byte(scopes), &k.Scopes); err != nil {
		return k, fmt.Errorf("read scopes of key %s: %w", k.ID, err)
	}
	k.ExpiresAt, k.LastUsedAt, k.RevokedAt, k.CreatedAt = timeOf(expires), timeOf(used), timeOf(revoked), timeOf(created)
	return k, nil
}

func getKey(ctx context.Context, q querier, tenantID, id string) (tenant.APIKey, error) {
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyCols+` FROM api_keys WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return k, notFound(err)
}

// CreateKey stores a new key of an existing tenant, giving it an ID unless it has one.
func (s *Store) CreateKey(ctx context.Context, actor tenant.Actor, k tenant.APIKey) (tenant.APIKey, error) {
	if err := k.Validate(); err != nil {
		return tenant.APIKey{}, err
	}
	if k.ID == "" {
		k.ID = ulid.Make().String()
	}
	scopes, err := jsonText(k.Scopes)
	if err != nil {
		return tenant.APIKey{}, fmt.Errorf("create key: %w", err)
	}
	var out tenant.APIKey
	err = s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		if _, err := getTenant(ctx, tx, k.TenantID); err != nil {
			return change{}, fmt.Errorf("tenant %s: %w", k.TenantID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (`+keyCols+`) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`,
			k.ID, k.TenantID, k.Name, scopes, k.Hash, micros(k.ExpiresAt), k.ManagedBy, micros(now)); err != nil {
			return change{}, dbErr(err)
		}
		var err error
		out, err = getKey(ctx, tx, k.TenantID, k.ID)
		return change{action: "key.create", tenantID: k.TenantID, target: k.ID, details: keyDetails(k)}, err
	})
	if err != nil {
		return tenant.APIKey{}, fmt.Errorf("create key: %w", err)
	}
	return out, nil
}

// keyDetails say what a key may do; never its hash.
func keyDetails(k tenant.APIKey) map[string]string {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	d := map[string]string{"name": k.Name, "scopes": strings.Join(scopes, ",")}
	if !k.ExpiresAt.IsZero() {
		d["expires_at"] = k.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return d
}

// GetKey returns a key of the tenant.
func (s *Store) GetKey(ctx context.Context, tenantID, id string) (tenant.APIKey, error) {
	k, err := getKey(ctx, s.db, tenantID, id)
	if err != nil {
		return tenant.APIKey{}, fmt.Errorf("get key %s: %w", id, err)
	}
	return k, nil
}

// ListKeys lists the tenant's keys, revoked ones too, by id (creation order).
func (s *Store) ListKeys(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.APIKey, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ks, err := queryAll(ctx, s.db, scanKey, `SELECT `+keyCols+` FROM api_keys WHERE tenant_id = ? AND id > ?
		ORDER BY id LIMIT ?`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list keys: %w", err)
	}
	ks, next := tenant.CutPage(ks, p, func(k tenant.APIKey) string { return k.ID })
	return ks, next, nil
}

// RevokeKey marks a key of the tenant revoked; a key revoked already stays as it was,
// with no audit entry.
func (s *Store) RevokeKey(ctx context.Context, actor tenant.Actor, tenantID, id string) error {
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		k, err := getKey(ctx, tx, tenantID, id)
		if err != nil || !k.RevokedAt.IsZero() {
			return change{}, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, micros(now), id)
		return change{action: "key.revoke", tenantID: tenantID, target: id, details: map[string]string{"name": k.Name}}, err
	})
	if err != nil {
		return fmt.Errorf("revoke key %s: %w", id, err)
	}
	return nil
}

// TouchKeys records when keys were last used, keeping the latest time; unknown keys are
// ignored.
func (s *Store) TouchKeys(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		for id, at := range used {
			if at.IsZero() {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ?1
				WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)`, micros(at), id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("touch keys: %w", err)
	}
	return nil
}
