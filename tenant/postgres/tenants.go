package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolly-logs/trolly/tenant"
)

// tenantSelect reads tenants with their plan's limits and retention.
const tenantSelect = `SELECT t.id, t.data_key, t.name, t.plan_id, t.managed_by, t.created_at, t.updated_at,
	p.ingest_bytes_per_second, p.ingest_burst_bytes, p.max_line_bytes, p.max_streams,
	p.max_query_range_ns, p.max_concurrent_queries, p.queue_max_bytes, p.search_days, p.archive_days,
	p.query_timeout_ns, p.max_backlog_bytes
	FROM tenants t JOIN plans p ON p.id = t.plan_id`

func scanTenant(row pgx.Row) (tenant.Tenant, error) {
	var t tenant.Tenant
	var queryRange, queryTimeout int64
	l, r := &t.Limits, &t.Retention
	err := row.Scan(&t.ID, &t.Key, &t.Name, &t.PlanID, &t.ManagedBy, &t.CreatedAt, &t.UpdatedAt,
		&l.IngestBytesPerSecond, &l.IngestBurstBytes, &l.MaxLineBytes, &l.MaxStreams, &queryRange,
		&l.MaxConcurrentQueries, &l.QueueMaxBytes, &r.SearchDays, &r.ArchiveDays, &queryTimeout,
		&l.MaxBacklogBytes)
	l.MaxQueryRange, l.QueryTimeout = time.Duration(queryRange), time.Duration(queryTimeout)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

func getTenant(ctx context.Context, q querier, id string) (tenant.Tenant, error) {
	t, err := scanTenant(q.QueryRow(ctx, tenantSelect+` WHERE t.id = $1`, id))
	return t, notFound(err)
}

// CreateTenant stores t on an existing plan.
func (s *Store) CreateTenant(ctx context.Context, actor tenant.Actor, t tenant.Tenant) (tenant.Tenant, error) {
	if err := t.Validate(); err != nil {
		return tenant.Tenant{}, err
	}
	var out tenant.Tenant
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var serial int64
		if err := tx.QueryRow(ctx, `SELECT nextval('tenant_serials')`).Scan(&serial); err != nil {
			return tenant.AuditEntry{}, fmt.Errorf("take a tenant serial: %w", err)
		}
		key := tenant.NewKey(t.ID, serial)
		_, err := tx.Exec(ctx, `INSERT INTO tenants (id, data_key, name, plan_id, managed_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, t.ID, key, t.Name, t.PlanID, t.ManagedBy, now)
		if err != nil {
			return tenant.AuditEntry{}, classify(err, fmt.Errorf("%w: plan %s", tenant.ErrNotFound, t.PlanID))
		}
		if out, err = getTenant(ctx, tx, t.ID); err != nil {
			return tenant.AuditEntry{}, err
		}
		return tenant.AuditEntry{TenantID: t.ID, Action: "tenant.create", Target: t.ID,
			Details: map[string]string{"name": t.Name, "plan_id": t.PlanID, "key": key}}, nil
	})
	if err != nil {
		return tenant.Tenant{}, fmt.Errorf("create tenant %s: %w", t.ID, err)
	}
	return out, nil
}

// GetTenant returns a tenant by id, with its plan's limits and retention.
func (s *Store) GetTenant(ctx context.Context, id string) (tenant.Tenant, error) {
	t, err := getTenant(ctx, s.pool, id)
	if err != nil {
		return tenant.Tenant{}, fmt.Errorf("get tenant %s: %w", id, err)
	}
	return t, nil
}

// ListTenants returns tenants by id.
func (s *Store) ListTenants(ctx context.Context, pg tenant.Page) ([]tenant.Tenant, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ts, err := collect(ctx, s.pool, scanTenant, tenantSelect+` WHERE t.id > $1 ORDER BY t.id LIMIT $2`,
		p.After, p.Limit())
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
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		tag, err := tx.Exec(ctx, `UPDATE tenants SET name = $2, plan_id = $3, updated_at = $4 WHERE id = $1`,
			t.ID, t.Name, t.PlanID, now)
		if err != nil {
			return tenant.AuditEntry{}, classify(err, fmt.Errorf("%w: plan %s", tenant.ErrNotFound, t.PlanID))
		}
		if tag.RowsAffected() == 0 {
			return tenant.AuditEntry{}, tenant.ErrNotFound
		}
		if out, err = getTenant(ctx, tx, t.ID); err != nil {
			return tenant.AuditEntry{}, err
		}
		return tenant.AuditEntry{TenantID: t.ID, Action: "tenant.update", Target: t.ID,
			Details: map[string]string{"name": t.Name, "plan_id": t.PlanID}}, nil
	})
	if err != nil {
		return tenant.Tenant{}, fmt.Errorf("update tenant %s: %w", t.ID, err)
	}
	return out, nil
}

// DeleteTenant deletes the tenant; its users, sessions, streams and keys go with it by
// the foreign keys' cascades, and a tombstone of its key is left for the purge of its data.
func (s *Store) DeleteTenant(ctx context.Context, actor tenant.Actor, id string) error {
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var key string
		err := tx.QueryRow(ctx, `DELETE FROM tenants WHERE id = $1 RETURNING data_key`, id).Scan(&key)
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO tenant_tombstones (data_key, tenant_id, deleted_at) VALUES ($1, $2, $3)`,
			key, id, now); err != nil {
			return tenant.AuditEntry{}, fmt.Errorf("record tombstone: %w", err)
		}
		return tenant.AuditEntry{TenantID: id, Action: "tenant.delete", Target: id, Details: map[string]string{"key": key}}, nil
	})
	if err != nil {
		return fmt.Errorf("delete tenant %s: %w", id, err)
	}
	return nil
}
