package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"time"

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
	ts, err := queryAll(ctx, s.db, scanTombstone, `SELECT data_key, tenant_id, deleted_at, search_purged_at, archive_purged_at
		FROM tenant_tombstones WHERE `+col+` IS NULL ORDER BY deleted_at, data_key`)
	if err != nil {
		return nil, fmt.Errorf("list tombstones: %w", err)
	}
	return ts, nil
}

func scanTombstone(r scanner) (tenant.Tombstone, error) {
	var t tenant.Tombstone
	var deleted int64
	var search, archive sql.NullInt64
	if err := r.Scan(&t.Key, &t.TenantID, &deleted, &search, &archive); err != nil {
		return t, err
	}
	t.DeletedAt = time.UnixMicro(deleted).UTC()
	t.Purged = map[string]time.Time{}
	if search.Valid {
		t.Purged[tenant.PurgeSearch] = timeOf(search)
	}
	if archive.Valid {
		t.Purged[tenant.PurgeArchive] = timeOf(archive)
	}
	return t, nil
}

// MarkPurged records that part of the deleted tenant's data is gone, with an audit entry.
func (s *Store) MarkPurged(ctx context.Context, actor tenant.Actor, key, part string, details map[string]string) error {
	col, err := purgedColumn(part)
	if err != nil {
		return err
	}
	err = s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		var id string
		if err := tx.QueryRowContext(ctx, `SELECT tenant_id FROM tenant_tombstones WHERE data_key = ?`, key).Scan(&id); err != nil {
			return change{}, notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenant_tombstones SET `+col+` = ? WHERE data_key = ?`, micros(now), key); err != nil {
			return change{}, err
		}
		return change{action: "tenant.purged", tenantID: id, target: key, details: purgeDetails(part, details)}, nil
	})
	if err != nil {
		return fmt.Errorf("mark %s of tenant key %s purged: %w", part, key, err)
	}
	return nil
}

func purgeDetails(part string, details map[string]string) map[string]string {
	out := map[string]string{"part": part}
	maps.Copy(out, details)
	return out
}
