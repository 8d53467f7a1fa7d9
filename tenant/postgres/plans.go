package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolly-logs/trolly/tenant"
)

const planColumns = `id, name, ingest_bytes_per_second, ingest_burst_bytes, max_line_bytes, max_streams,
	max_query_range_ns, max_concurrent_queries, queue_max_bytes, search_days, archive_days,
	managed_by, query_timeout_ns, max_backlog_bytes, created_at, updated_at`

func scanPlan(row pgx.Row) (tenant.Plan, error) {
	var p tenant.Plan
	var queryRange, queryTimeout int64
	l, r := &p.Limits, &p.Retention
	err := row.Scan(&p.ID, &p.Name, &l.IngestBytesPerSecond, &l.IngestBurstBytes, &l.MaxLineBytes,
		&l.MaxStreams, &queryRange, &l.MaxConcurrentQueries, &l.QueueMaxBytes, &r.SearchDays,
		&r.ArchiveDays, &p.ManagedBy, &queryTimeout, &l.MaxBacklogBytes, &p.CreatedAt, &p.UpdatedAt)
	l.MaxQueryRange, l.QueryTimeout = time.Duration(queryRange), time.Duration(queryTimeout)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

func planDetails(p tenant.Plan) map[string]string {
	return map[string]string{"name": p.Name}
}

// CreatePlan stores p, its zero limits given their defaults.
func (s *Store) CreatePlan(ctx context.Context, actor tenant.Actor, p tenant.Plan) (tenant.Plan, error) {
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return tenant.Plan{}, err
	}
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		p.CreatedAt, p.UpdatedAt = now, now
		l, r := p.Limits, p.Retention
		_, err := tx.Exec(ctx, `INSERT INTO plans (`+planColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			p.ID, p.Name, l.IngestBytesPerSecond, l.IngestBurstBytes, l.MaxLineBytes, l.MaxStreams,
			int64(l.MaxQueryRange), l.MaxConcurrentQueries, l.QueueMaxBytes, r.SearchDays, r.ArchiveDays,
			p.ManagedBy, int64(l.QueryTimeout), l.MaxBacklogBytes, now, now)
		if err != nil {
			return tenant.AuditEntry{}, classify(err, tenant.ErrNotFound)
		}
		return tenant.AuditEntry{Action: "plan.create", Target: p.ID, Details: planDetails(p)}, nil
	})
	if err != nil {
		return tenant.Plan{}, fmt.Errorf("create plan %s: %w", p.ID, err)
	}
	return p, nil
}

// GetPlan returns a plan by id.
func (s *Store) GetPlan(ctx context.Context, id string) (tenant.Plan, error) {
	p, err := scanPlan(s.pool.QueryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE id = $1`, id))
	if err != nil {
		return tenant.Plan{}, fmt.Errorf("get plan %s: %w", id, notFound(err))
	}
	return p, nil
}

// ListPlans returns plans by id.
func (s *Store) ListPlans(ctx context.Context, pg tenant.Page) ([]tenant.Plan, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	plans, err := collect(ctx, s.pool, scanPlan, `SELECT `+planColumns+` FROM plans
		WHERE id > $1 ORDER BY id LIMIT $2`, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list plans: %w", err)
	}
	plans, next := tenant.CutPage(plans, p, func(p tenant.Plan) string { return p.ID })
	return plans, next, nil
}

// UpdatePlan replaces the plan's name, limits and retention.
func (s *Store) UpdatePlan(ctx context.Context, actor tenant.Actor, p tenant.Plan) (tenant.Plan, error) {
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return tenant.Plan{}, err
	}
	var out tenant.Plan
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		l, r := p.Limits, p.Retention
		var err error
		out, err = scanPlan(tx.QueryRow(ctx, `UPDATE plans SET name = $2, ingest_bytes_per_second = $3,
			ingest_burst_bytes = $4, max_line_bytes = $5, max_streams = $6, max_query_range_ns = $7,
			max_concurrent_queries = $8, queue_max_bytes = $9, search_days = $10, archive_days = $11,
			updated_at = $12, query_timeout_ns = $13, max_backlog_bytes = $14
			WHERE id = $1 RETURNING `+planColumns,
			p.ID, p.Name, l.IngestBytesPerSecond, l.IngestBurstBytes, l.MaxLineBytes, l.MaxStreams,
			int64(l.MaxQueryRange), l.MaxConcurrentQueries, l.QueueMaxBytes, r.SearchDays, r.ArchiveDays, now,
			int64(l.QueryTimeout), l.MaxBacklogBytes))
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		return tenant.AuditEntry{Action: "plan.update", Target: p.ID, Details: planDetails(p)}, nil
	})
	if err != nil {
		return tenant.Plan{}, fmt.Errorf("update plan %s: %w", p.ID, err)
	}
	return out, nil
}

// DeletePlan deletes a plan no tenant is on.
func (s *Store) DeletePlan(ctx context.Context, actor tenant.Actor, id string) error {
	err := s.change(ctx, actor, func(tx pgx.Tx, _ time.Time) (tenant.AuditEntry, error) {
		tag, err := tx.Exec(ctx, `DELETE FROM plans WHERE id = $1`, id)
		if err != nil {
			// The tenants' foreign key restricts: the plan is in use.
			return tenant.AuditEntry{}, classify(err, fmt.Errorf("%w: a tenant is on the plan", tenant.ErrConflict))
		}
		if tag.RowsAffected() == 0 {
			return tenant.AuditEntry{}, tenant.ErrNotFound
		}
		return tenant.AuditEntry{Action: "plan.delete", Target: id}, nil
	})
	if err != nil {
		return fmt.Errorf("delete plan %s: %w", id, err)
	}
	return nil
}

// collect runs a query and scans each row with scan.
func collect[T any](ctx context.Context, q querier, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
