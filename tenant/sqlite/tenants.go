package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

// tenantSelect reads tenants with their plan's limits and retention.
const tenantSelect = `SELECT t.id, t.data_key, t.name, t.plan_id, t.managed_by, t.created_at, t.updated_at,
	p.ingest_bytes_per_second, p.ingest_burst_bytes, p.max_line_bytes, p.max_streams, p.max_query_range_ns,
	p.max_concurrent_queries, p.queue_max_bytes, p.search_days, p.archive_days, p.query_timeout_ns,
	p.max_backlog_bytes
	FROM tenants t JOIN plans p ON p.id = t.plan_id`

func scanTenant(r scanner) (tenant.Tenant, error) {
	var t tenant.Tenant
	var created, updated sql.NullInt64
	l := &t.Limits
	err := r.Scan(&t.ID, &t.Key, &t.Name, &t.PlanID, &t.ManagedBy, &created, &updated,
		&l.IngestBytesPerSecond, &l.IngestBurstBytes, &l.MaxLineBytes, &l.MaxStreams, &l.MaxQueryRange,
		&l.MaxConcurrentQueries, &l.QueueMaxBytes, &t.Retention.SearchDays, &t.Retention.ArchiveDays, &l.QueryTimeout,
		&l.MaxBacklogBytes)
	t.CreatedAt, t.UpdatedAt = timeOf(created), timeOf(updated)
	return t, err
}

func getTenant(ctx context.Context, q querier, id string) (tenant.Tenant, error) {
	t, err := scanTenant(q.QueryRowContext(ctx, tenantSelect+` WHERE t.id = ?`, id))
	return t, notFound(err)
}

// planExists returns ErrNotFound for an unknown plan.
func planExists(ctx context.Context, tx *sql.Tx, id string) error {
	ok, err := exists(ctx, tx, `SELECT 1 FROM plans WHERE id = ?`, id)
	if err == nil && !ok {
		err = fmt.Errorf("plan %s: %w", id, tenant.ErrNotFound)
	}
	return err
}

// CreateTenant stores a new tenant on an existing plan.
func (s *Store) CreateTenant(ctx context.Context, actor tenant.Actor, t tenant.Tenant) (tenant.Tenant, error) {
	if err := t.Validate(); err != nil {
		return tenant.Tenant{}, err
	}
	var out tenant.Tenant
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		if err := planExists(ctx, tx, t.PlanID); err != nil {
			return change{}, err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO tenant_serials DEFAULT VALUES`)
		if err != nil {
			return change{}, fmt.Errorf("take a tenant serial: %w", err)
		}
		serial, err := res.LastInsertId()
		if err != nil {
			return change{}, fmt.Errorf("take a tenant serial: %w", err)
		}
		key := tenant.NewKey(t.ID, serial)
		_, err = tx.ExecContext(ctx, `INSERT INTO tenants (id, data_key, name, plan_id, managed_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.ID, key, t.Name, t.PlanID, t.ManagedBy, micros(now), micros(now))
		if err != nil {
			return change{}, dbErr(err)
		}
		out, err = getTenant(ctx, tx, t.ID)
		return change{action: "tenant.create", tenantID: t.ID, target: t.ID, details: map[string]string{"plan": t.PlanID, "key": key}}, err
	})
	if err != nil {
		return tenant.Tenant{}, fmt.Errorf("create tenant %s: %w", t.ID, err)
	}
	return out, nil
}

// GetTenant returns a tenant with its plan's limits.
func (s *Store) GetTenant(ctx context.Context, id string) (tenant.Tenant, error) {
	t, err := getTenant(ctx, s.db, id)
	if err != nil {
		return tenant.Tenant{}, fmt.Errorf("get tenant %s: %w", id, err)
	}
	return t, nil
}

// ListTenants lists tenants by id.
func (s *Store) ListTenants(ctx context.Context, pg tenant.Page) ([]tenant.Tenant, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ts, err := queryAll(ctx, s.db, scanTenant, tenantSelect+` WHERE t.id > ? ORDER BY t.id LIMIT ?`, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list tenants: %w", err)
	}
	ts, next := tenant.CutPage(ts, p, func(t tenant.Tenant) string { return t.ID })
	return ts, next, nil
}

// UpdateTenant replaces the tenant's name and plan.
func (s *Store) UpdateTenant(ctx context.Context, actor tenant.Actor, t tenant.Tenant) (tenant.Tenant, error) {
	if err := t.Validate(); err != nil {
		return tenant.Tenant{}, err
	}
	var out tenant.Tenant
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		if err := planExists(ctx, tx, t.PlanID); err != nil {
			return change{}, err
		}
		err := affected(tx.ExecContext(ctx, `UPDATE tenants SET name = ?, plan_id = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.PlanID, micros(now), t.ID))
		if err != nil {
			return change{}, err
		}
		out, err = getTenant(ctx, tx, t.ID)
		return change{action: "tenant.update", tenantID: t.ID, target: t.ID, details: map[string]string{"plan": t.PlanID}}, err
	})
	if err != nil {
		return tenant.Tenant{}, fmt.Errorf("update tenant %s: %w", t.ID, err)
	}
	return out, nil
}

// DeleteTenant deletes the tenant; its users, sessions, streams and keys go with it
// (ON DELETE CASCADE), its audit entries stay, and a tombstone of its key is left for the
// purge of its data.
func (s *Store) DeleteTenant(ctx context.Context, actor tenant.Actor, id string) error {
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		var key string
		if err := tx.QueryRowContext(ctx, `SELECT data_key FROM tenants WHERE id = ?`, id).Scan(&key); err != nil {
			return change{}, notFound(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_tombstones (data_key, tenant_id, deleted_at) VALUES (?, ?, ?)`,
			key, id, micros(now)); err != nil {
			return change{}, fmt.Errorf("record tombstone: %w", err)
		}
		err := affected(tx.ExecContext(ctx, `DELETE FROM tenants WHERE id = ?`, id))
		return change{action: "tenant.delete", tenantID: id, target: id, details: map[string]string{"key": key}}, err
	})
	if err != nil {
		return fmt.Errorf("delete tenant %s: %w", id, err)
	}
	return nil
}
