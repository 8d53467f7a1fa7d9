package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

const planCols = `id, name, ingest_bytes_per_second, ingest_burst_bytes, max_line_bytes, max_streams,
	max_query_range_ns, max_concurrent_queries, queue_max_bytes, search_days, archive_days,
	managed_by, query_timeout_ns, max_backlog_bytes, created_at, updated_at`

func scanPlan(r scanner) (tenant.Plan, error) {
	var p tenant.Plan
	var created, updated sql.NullInt64
	l := &p.Limits
	err := r.Scan(&p.ID, &p.Name, &l.IngestBytesPerSecond, &l.IngestBurstBytes, &l.MaxLineBytes, &l.MaxStreams,
		&l.MaxQueryRange, &l.MaxConcurrentQueries, &l.QueueMaxBytes, &p.Retention.SearchDays, &p.Retention.ArchiveDays,
		&p.ManagedBy, &l.QueryTimeout, &l.MaxBacklogBytes, &created, &updated)
	p.CreatedAt, p.UpdatedAt = timeOf(created), timeOf(updated)
	return p, err
}

// planArgs are the columns a plan's update sets, after its id.
func planArgs(p tenant.Plan) []any {
	l := p.Limits
	return []any{p.ID, p.Name, l.IngestBytesPerSecond, l.IngestBurstBytes, l.MaxLineBytes, l.MaxStreams,
		int64(l.MaxQueryRange), l.MaxConcurrentQueries, l.QueueMaxBytes, p.Retention.SearchDays, p.Retention.ArchiveDays,
		p.ManagedBy, int64(l.QueryTimeout), l.MaxBacklogBytes}
}

// CreatePlan stores a new plan, its zero limits given their defaults.
func (s *Store) CreatePlan(ctx context.Context, actor tenant.Actor, p tenant.Plan) (tenant.Plan, error) {
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return tenant.Plan{}, err
	}
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		p.CreatedAt, p.UpdatedAt = now, now
		_, err := tx.ExecContext(ctx, `INSERT INTO plans (`+planCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			append(planArgs(p), micros(now), micros(now))...)
		return change{action: "plan.create", target: p.ID}, dbErr(err)
	})
	if err != nil {
		return tenant.Plan{}, fmt.Errorf("create plan %s: %w", p.ID, err)
	}
	return p, nil
}

// GetPlan returns a plan.
func (s *Store) GetPlan(ctx context.Context, id string) (tenant.Plan, error) {
	p, err := scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = ?`, id))
	if err != nil {
		return tenant.Plan{}, fmt.Errorf("get plan %s: %w", id, notFound(err))
	}
	return p, nil
}

// ListPlans lists plans by id.
func (s *Store) ListPlans(ctx context.Context, pg tenant.Page) ([]tenant.Plan, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ps, err := queryAll(ctx, s.db, scanPlan, `SELECT `+planCols+` FROM plans WHERE id > ? ORDER BY id LIMIT ?`, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list plans: %w", err)
	}
	ps, next := tenant.CutPage(ps, p, func(p tenant.Plan) string { return p.ID })
	return ps, next, nil
}

// UpdatePlan replaces the plan's name, limits and retention.
func (s *Store) UpdatePlan(ctx context.Context, actor tenant.Actor, p tenant.Plan) (tenant.Plan, error) {
	p.ApplyDefaults()
	if err := p.Validate(); err != nil {
		return tenant.Plan{}, err
	}
	var out tenant.Plan
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		a := planArgs(p)
		args := append(a[1:11], a[12], a[13], micros(now), p.ID)
		err := affected(tx.ExecContext(ctx, `UPDATE plans SET name = ?, ingest_bytes_per_second = ?,
			ingest_burst_bytes = ?, max_line_bytes = ?, max_streams = ?, max_query_range_ns = ?,
			max_concurrent_queries = ?, queue_max_bytes = ?, search_days = ?, archive_days = ?, query_timeout_ns = ?,
			max_backlog_bytes = ?, updated_at = ? WHERE id = ?`, args...))
		if err != nil {
			return change{}, err
		}
		out, err = scanPlan(tx.QueryRowContext(ctx, `SELECT `+planCols+` FROM plans WHERE id = ?`, p.ID))
		return change{action: "plan.update", target: p.ID}, err
	})
	if err != nil {
		return tenant.Plan{}, fmt.Errorf("update plan %s: %w", p.ID, err)
	}
	return out, nil
}

// DeletePlan deletes a plan no tenant is on.
func (s *Store) DeletePlan(ctx context.Context, actor tenant.Actor, id string) error {
	err := s.change(ctx, actor, func(tx *sql.Tx, _ time.Time) (change, error) {
		used, err := exists(ctx, tx, `SELECT 1 FROM tenants WHERE plan_id = ? LIMIT 1`, id)
		if err != nil {
			return change{}, err
		}
		if used {
			return change{}, fmt.Errorf("%w: tenants are on the plan", tenant.ErrConflict)
		}
		err = affected(tx.ExecContext(ctx, `DELETE FROM plans WHERE id = ?`, id))
		return change{action: "plan.delete", target: id}, err
	})
	if err != nil {
		return fmt.Errorf("delete plan %s: %w", id, err)
	}
	return nil
}
