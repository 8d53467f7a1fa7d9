package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trolly-logs/trolly/tenant"
)

const streamColumns = `tenant_id, name, source_type, parser, labels, managed_by, created_at, updated_at`

func scanStream(row pgx.Row) (tenant.Stream, error) {
	var s tenant.Stream
	var parser, labels []byte
	if err := row.Scan(&s.TenantID, &s.Name, &s.SourceType, &parser, &labels, &s.ManagedBy,
		&s.CreatedAt, &s.UpdatedAt); err != nil {
		return tenant.Stream{}, err
	}
	if len(parser) > 0 {
		s.Parser = json.RawMessage(parser)
	}
	if labels != nil {
		if err := json.Unmarshal(labels, &s.Labels); err != nil {
			return tenant.Stream{}, fmt.Errorf("decode labels of stream %s: %w", s.Name, err)
		}
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, nil
}

// streamValues are the parser and labels as columns: NULL for none, so that a nil and an
// empty map of labels each read back as they were.
func streamValues(s tenant.Stream) (parser, labels any) {
	if len(s.Parser) > 0 {
		parser = string(s.Parser)
	}
	if s.Labels != nil {
		b, _ := json.Marshal(s.Labels) // a map of strings always encodes
		labels = string(b)
	}
	return parser, labels
}

// CreateStream stores s in its tenant, within its plan's MaxStreams.
func (s *Store) CreateStream(ctx context.Context, actor tenant.Actor, st tenant.Stream) (tenant.Stream, error) {
	if err := st.Validate(); err != nil {
		return tenant.Stream{}, err
	}
	var out tenant.Stream
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		if err := streamRoom(ctx, tx, st.TenantID); err != nil {
			return tenant.AuditEntry{}, err
		}
		parser, labels := streamValues(st)
		var err error
		out, err = scanStream(tx.QueryRow(ctx, `INSERT INTO streams (`+streamColumns+`)
			VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $7) RETURNING `+streamColumns,
			st.TenantID, st.Name, st.SourceType, parser, labels, st.ManagedBy, now))
		if err != nil {
			return tenant.AuditEntry{}, classify(err, tenant.ErrNotFound)
		}
		return tenant.AuditEntry{TenantID: st.TenantID, Action: "stream.create", Target: st.Name,
			Details: map[string]string{"source_type": st.SourceType}}, nil
	})
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("create stream %s/%s: %w", st.TenantID, st.Name, err)
	}
	return out, nil
}

// streamRoom checks that the tenant exists and has fewer streams than its plan allows.
// It locks the tenant's row, so that concurrent creations count one after the other.
func streamRoom(ctx context.Context, tx pgx.Tx, tenantID string) error {
	var limit, n int
	err := tx.QueryRow(ctx, `SELECT p.max_streams FROM tenants t JOIN plans p ON p.id = t.plan_id
		WHERE t.id = $1 FOR UPDATE OF t`, tenantID).Scan(&limit)
	if err != nil {
		return fmt.Errorf("find tenant: %w", notFound(err))
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM streams WHERE tenant_id = $1`, tenantID).Scan(&n); err != nil {
		return fmt.Errorf("count streams: %w", err)
	}
	if n >= limit {
		return fmt.Errorf("%w: the plan allows %d streams", tenant.ErrLimit, limit)
	}
	return nil
}

// GetStream returns a tenant's stream by name.
func (s *Store) GetStream(ctx context.Context, tenantID, name string) (tenant.Stream, error) {
	st, err := scanStream(s.pool.QueryRow(ctx, `SELECT `+streamColumns+` FROM streams
		WHERE tenant_id = $1 AND name = $2`, tenantID, name))
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("get stream %s/%s: %w", tenantID, name, notFound(err))
	}
	return st, nil
}

// ListStreams returns a tenant's streams by name.
func (s *Store) ListStreams(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.Stream, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ss, err := collect(ctx, s.pool, scanStream, `SELECT `+streamColumns+` FROM streams
		WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list streams of %s: %w", tenantID, err)
	}
	ss, next := tenant.CutPage(ss, p, func(s tenant.Stream) string { return s.Name })
	return ss, next, nil
}

// UpdateStream replaces the stream's source type, parser and labels.
func (s *Store) UpdateStream(ctx context.Context, actor tenant.Actor, st tenant.Stream) (tenant.Stream, error) {
	if err := st.Validate(); err != nil {
		return tenant.Stream{}, err
	}
	var out tenant.Stream
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		parser, labels := streamValues(st)
		var err error
		out, err = scanStream(tx.QueryRow(ctx, `UPDATE streams SET source_type = $3, parser = $4::jsonb,
			labels = $5::jsonb, updated_at = $6 WHERE tenant_id = $1 AND name = $2 RETURNING `+streamColumns,
			st.TenantID, st.Name, st.SourceType, parser, labels, now))
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		return tenant.AuditEntry{TenantID: st.TenantID, Action: "stream.update", Target: st.Name,
			Details: map[string]string{"source_type": st.SourceType}}, nil
	})
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("update stream %s/%s: %w", st.TenantID, st.Name, err)
	}
	return out, nil
}

// DeleteStream deletes a tenant's stream.
func (s *Store) DeleteStream(ctx context.Context, actor tenant.Actor, tenantID, name string) error {
	err := s.change(ctx, actor, func(tx pgx.Tx, _ time.Time) (tenant.AuditEntry, error) {
		tag, err := tx.Exec(ctx, `DELETE FROM streams WHERE tenant_id = $1 AND name = $2`, tenantID, name)
		if err != nil {
			return tenant.AuditEntry{}, err
		}
		if tag.RowsAffected() == 0 {
			return tenant.AuditEntry{}, tenant.ErrNotFound
		}
		return tenant.AuditEntry{TenantID: tenantID, Action: "stream.delete", Target: name}, nil
	})
	if err != nil {
		return fmt.Errorf("delete stream %s/%s: %w", tenantID, name, err)
	}
	return nil
}
