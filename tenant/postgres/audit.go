package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const auditColumns = `id, at, actor_kind, actor_id, actor_name, actor_tenant_id, actor_address,
	tenant_id, action, target, details`

func scanAudit(row pgx.Row) (tenant.AuditEntry, error) {
	var e tenant.AuditEntry
	var details []byte
	a := &e.Actor
	if err := row.Scan(&e.ID, &e.At, &a.Kind, &a.ID, &a.Name, &a.TenantID, &a.Address, &e.TenantID,
		&e.Action, &e.Target, &details); err != nil {
		return tenant.AuditEntry{}, err
	}
	if details != nil {
		if err := json.Unmarshal(details, &e.Details); err != nil {
			return tenant.AuditEntry{}, fmt.Errorf("decode details of audit entry %s: %w", e.ID, err)
		}
	}
	e.At = e.At.UTC()
	return e, nil
}

func insertAudit(ctx context.Context, q querier, e tenant.AuditEntry) error {
	var details any
	if e.Details != nil {
		b, _ := json.Marshal(e.Details) // a map of strings always encodes
		details = string(b)
	}
	a := e.Actor
	_, err := q.Exec(ctx, `INSERT INTO audit_log (`+auditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
		e.ID, dbTime(e.At), a.Kind, a.ID, a.Name, a.TenantID, a.Address, e.TenantID, e.Action, e.Target, details)
	if err != nil {
		return fmt.Errorf("record audit entry %s: %w", e.Action, classify(err, tenant.ErrNotFound))
	}
	return nil
}

// Audit records an entry that is not a change of the catalog, giving it an ID and a time
// when it has none.
func (s *Store) Audit(ctx context.Context, e tenant.AuditEntry) error {
	if e.ID == "" {
		e.ID = ulid.Make().String()
	}
	if e.At.IsZero() {
		e.At = s.clock()
	}
	return insertAudit(ctx, s.pool, e)
}

// ListAudit returns the entries f selects, newest (greatest id) first.
func (s *Store) ListAudit(ctx context.Context, f tenant.AuditFilter, pg tenant.Page) ([]tenant.AuditEntry, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	where, args := auditWhere(f, p)
	es, err := collect(ctx, s.pool, scanAudit, `SELECT `+auditColumns+` FROM audit_log
		WHERE `+where+` ORDER BY id DESC LIMIT `+strconv.Itoa(p.Limit()), args...)
	if err != nil {
		return nil, "", fmt.Errorf("list audit entries: %w", err)
	}
	es, next := tenant.CutPage(es, p, func(e tenant.AuditEntry) string { return e.ID })
	return es, next, nil
}

// auditWhere builds the condition of f and of the page's position.
func auditWhere(f tenant.AuditFilter, p tenant.Cursor) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if p.After != "" {
		add("id < $%d", p.After)
	}
	if f.TenantID != "" {
		add("tenant_id = $%d", f.TenantID)
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		add("starts_with(action, $%d)", f.Action)
	case f.Action != "":
		add("action = $%d", f.Action)
	}
	if !f.Since.IsZero() {
		add("at >= $%d", dbTime(f.Since))
	}
	if !f.Until.IsZero() {
		add("at < $%d", dbTime(f.Until))
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return strings.Join(conds, " AND "), args
}
