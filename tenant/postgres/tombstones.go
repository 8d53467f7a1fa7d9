package postgres

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolly-logs/trolly/tenant"
)

// purgedColumn is the column of a tombstone that records when part was purged.
func purgedColumn(part string) (string, error) {
	if err := tenant.CheckPurgePart(part); err != nil {
		return "", err
	}
	return part + "_purged_at", nil
}

// Tombstones lists the deleted tenants whose part is not purged yet, oldest first.
func (s *Store) Tombstones(ctx context.Context, part string) ([]tenant.Tombstone, error) {
	col, err := purgedColumn(part)
	if err != nil {
		return nil, err
	}
	ts, err := collect(ctx, s.pool, scanTombstone, `SELECT data_key, tenant_id, deleted_at, search_purged_at, archive_purged_at
		FROM tenant_tombstones WHERE `+col+` IS NULL ORDER BY deleted_at, data_key`)
	if err != nil {
		return nil, fmt.Errorf("list tombstones: %w", err)
	}
	return ts, nil
}

func scanTombstone(row pgx.Row) (tenant.Tombstone, error) {
	var t tenant.Tombstone
	var search, archive *time.Time
	if err := row.Scan(&t.Key, &t.TenantID, &t.DeletedAt, &search, &archive); err != nil {
		return t, err
	}
	t.DeletedAt = t.DeletedAt.UTC()
	t.Purged = map[string]time.Time{}
	if search != nil {
		t.Purged[tenant.PurgeSearch] = search.UTC()
	}
	if archive != nil {
		t.Purged[tenant.PurgeArchive] = archive.UTC()
	}
	return t, nil
}

// MarkPurged records that part of the deleted tenant's data is gone, with an audit entry.
func (s *Store) MarkPurged(ctx context.Context, actor tenant.Actor, key, part string, details map[string]string) error {
	col, err := purgedColumn(part)
	if err != nil {
		return err
	}
	err = s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var id string
		err := tx.QueryRow(ctx, `UPDATE tenant_tombstones SET `+col+` = $2 WHERE data_key = $1 RETURNING tenant_id`, key, now).Scan(&id)
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		d := map[string]string{"part": part}
		maps.Copy(d, details)
		return tenant.AuditEntry{TenantID: id, Action: "tenant.purged", Target: key, Details: d}, nil
	})
	if err != nil {
		return fmt.Errorf("mark %s of tenant key %s purged: %w", part, key, err)
	}
	return nil
}
