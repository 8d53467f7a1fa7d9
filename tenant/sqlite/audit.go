package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const auditCols = `id, at, actor_kind, actor_id, actor_name, actor_tenant_id, actor_address, tenant_id, action, target, details`

func insertAudit(ctx context.Context, tx *sql.Tx, e tenant.AuditEntry) error {
	details := "{}"
	if len(e.Details) > 0 {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("encode audit details: %w", err)
		}
		details = string(b)
	}
	a := e.Actor
	_, err := tx.ExecContext(ctx, `INSERT INTO audit (`+auditCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At.UnixMicro(), a.Kind, a.ID, a.Name, a.TenantID, a.Address, e.TenantID, e.Action, e.Target, details)
	if err != nil {
		return fmt.Errorf("record audit entry: %w", dbErr(err))
	}
	return nil
}

func scanAudit(r scanner) (tenant.AuditEntry, error) {
	var e tenant.AuditEntry
	var at sql.NullInt64
	var details string
	a := &e.Actor
	if err := r.Scan(&e.ID, &at, &a.Kind, &a.ID, &a.Name, &a.TenantID, &a.Address, &e.TenantID, &e.Action, &e.Target, &details); err != nil {
		return e, err
	}
	e.At = timeOf(at)
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		return e, fmt.Errorf("read details of audit entry %s: %w", e.ID, err)
	}
	if len(e.Details) == 0 {
		e.Details = nil
	}
	return e, nil
}

// Audit records an entry, giving it an ID and the store's time unless it has them.
func (s *Store) Audit(ctx context.Context, e tenant.AuditEntry) error {
	if e.ID == "" {
		e.ID = ulid.Make().String()
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	if err := s.write(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, e) }); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// ListAudit returns the entries f selects, newest first.
func (s *Store) ListAudit(ctx context.Context, f tenant.AuditFilter, pg tenant.Page) ([]tenant.AuditEntry, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		where = append(where, cond)
		args = append(args, vs...)
	}
	if f.TenantID != "" {
		add("tenant_id = ?", f.TenantID)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok {
		// every action of the prefix sorts between "prefix." and "prefix/"
		add("action >= ? AND action < ?", prefix+".", prefix+"/")
	} else if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until.UnixMicro())
	}
	if p.After != "" {
		add("id < ?", p.After)
	}
	query := `SELECT ` + auditCols + ` FROM audit`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	es, err := queryAll(ctx, s.db, scanAudit, query+` ORDER BY id DESC LIMIT ?`, append(args, p.Limit())...)
	if err != nil {
		return nil, "", fmt.Errorf("list audit: %w", err)
	}
	es, next := tenant.CutPage(es, p, func(e tenant.AuditEntry) string { return e.ID })
	return es, next, nil
}
