package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

const streamCols = `tenant_id, name, source_type, parser, labels, managed_by, created_at, updated_at`

func scanStream(r scanner) (tenant.Stream, error) {
	var s tenant.Stream
	var parser sql.NullString
	var labels string
	var created, updated sql.NullInt64
	if err := r.Scan(&s.TenantID, &s.Name, &s.SourceType, &parser, &labels, &s.ManagedBy, &created, &updated); err != nil {
		return s, err
	}
	if parser.Valid {
		s.Parser = json.RawMessage(parser.String)
	}
	if err := json.Unmarshal([]byte(labels), &s.Labels); err != nil {
		return s, fmt.Errorf("read labels of stream %s: %w", s.Name, err)
	}
	s.CreatedAt, s.UpdatedAt = timeOf(created), timeOf(updated)
	return s, nil
}

func getStream(ctx context.Context, q querier, tenantID, name string) (tenant.Stream, error) {
	s, err := scanStream(q.QueryRowContext(ctx, `SELECT `+streamCols+` FROM streams WHERE tenant_id = ? AND name = ?`,
		tenantID, name))
	return s, notFound(err)
}

// streamValues are a stream's parser and labels as columns: the parser as sent (it is
// valid JSON), NULL when there is none.
func streamValues(s tenant.Stream) (parser any, labels string, err error) {
	if len(s.Parser) > 0 {
		parser = string(s.Parser)
	}
	if s.Labels == nil {
		return parser, "{}", nil
	}
	labels, err = jsonText(s.Labels)
	return parser, labels, err
}

// CreateStream stores a new stream of an existing tenant, within its plan's MaxStreams.
// Write transactions are serialised (BEGIN IMMEDIATE), so the count cannot go stale.
func (s *Store) CreateStream(ctx context.Context, actor tenant.Actor, st tenant.Stream) (tenant.Stream, error) {
	if err := st.Validate(); err != nil {
		return tenant.Stream{}, err
	}
	parser, labels, err := streamValues(st)
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("create stream %s: %w", st.Name, err)
	}
	var out tenant.Stream
	err = s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		t, err := getTenant(ctx, tx, st.TenantID)
		if err != nil {
			return change{}, fmt.Errorf("tenant %s: %w", st.TenantID, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM streams WHERE tenant_id = ?`, st.TenantID).Scan(&n); err != nil {
			return change{}, err
		}
		if n >= t.Limits.MaxStreams {
			return change{}, fmt.Errorf("%w: the plan allows %d streams", tenant.ErrLimit, t.Limits.MaxStreams)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO streams (`+streamCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			st.TenantID, st.Name, st.SourceType, parser, labels, st.ManagedBy, micros(now), micros(now)); err != nil {
			return change{}, dbErr(err)
		}
		out, err = getStream(ctx, tx, st.TenantID, st.Name)
		return change{action: "stream.create", tenantID: st.TenantID, target: st.Name,
			details: map[string]string{"source_type": st.SourceType}}, err
	})
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("create stream %s: %w", st.Name, err)
	}
	return out, nil
}

// GetStream returns a stream of the tenant.
func (s *Store) GetStream(ctx context.Context, tenantID, name string) (tenant.Stream, error) {
	st, err := getStream(ctx, s.db, tenantID, name)
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("get stream %s: %w", name, err)
	}
	return st, nil
}

// ListStreams lists the tenant's streams by name.
func (s *Store) ListStreams(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.Stream, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	ss, err := queryAll(ctx, s.db, scanStream, `SELECT `+streamCols+` FROM streams WHERE tenant_id = ? AND name > ?
		ORDER BY name LIMIT ?`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list streams: %w", err)
	}
	ss, next := tenant.CutPage(ss, p, func(s tenant.Stream) string { return s.Name })
	return ss, next, nil
}

// UpdateStream replaces the stream's source type, parser and labels.
func (s *Store) UpdateStream(ctx context.Context, actor tenant.Actor, st tenant.Stream) (tenant.Stream, error) {
	if err := st.Validate(); err != nil {
		return tenant.Stream{}, err
	}
	parser, labels, err := streamValues(st)
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("update stream %s: %w", st.Name, err)
	}
	var out tenant.Stream
	err = s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		err := affected(tx.ExecContext(ctx, `UPDATE streams SET source_type = ?, parser = ?, labels = ?, updated_at = ?
			WHERE tenant_id = ? AND name = ?`, st.SourceType, parser, labels, micros(now), st.TenantID, st.Name))
		if err != nil {
			return change{}, err
		}
		out, err = getStream(ctx, tx, st.TenantID, st.Name)
		return change{action: "stream.update", tenantID: st.TenantID, target: st.Name,
			details: map[string]string{"source_type": st.SourceType}}, err
	})
	if err != nil {
		return tenant.Stream{}, fmt.Errorf("update stream %s: %w", st.Name, err)
	}
	return out, nil
}

// DeleteStream deletes a stream of the tenant.
func (s *Store) DeleteStream(ctx context.Context, actor tenant.Actor, tenantID, name string) error {
	err := s.change(ctx, actor, func(tx *sql.Tx, _ time.Time) (change, error) {
		err := affected(tx.ExecContext(ctx, `DELETE FROM streams WHERE tenant_id = ? AND name = ?`, tenantID, name))
		return change{action: "stream.delete", tenantID: tenantID, target: name}, err
	})
	if err != nil {
		return fmt.Errorf("delete stream %s: %w", name, err)
	}
	return nil
}
