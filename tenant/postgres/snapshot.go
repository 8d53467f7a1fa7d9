package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/trolly-logs/trolly/tenant"
)

// Snapshot reads the version, tenants, users, streams, unrevoked keys, unexpired certificates and
// the authority's certificate in one REPEATABLE READ
// transaction, so that they agree with one another and with the version.
func (s *Store) Snapshot(ctx context.Context) (tenant.Snapshot, error) {
	var snap tenant.Snapshot
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT version FROM catalog_version`).Scan(&snap.Version); err != nil {
			return fmt.Errorf("read version: %w", err)
		}
		var err error
		if snap.Tenants, err = collect(ctx, tx, scanTenant, tenantSelect+` ORDER BY t.id`); err != nil {
			return fmt.Errorf("read tenants: %w", err)
		}
		if snap.Streams, err = collect(ctx, tx, scanStream, `SELECT `+streamColumns+` FROM streams
			ORDER BY tenant_id, name`); err != nil {
			return fmt.Errorf("read streams: %w", err)
		}
		if snap.Keys, err = collect(ctx, tx, scanKey, `SELECT `+keyColumns+` FROM api_keys
			WHERE revoked_at IS NULL ORDER BY tenant_id, id`); err != nil {
			return fmt.Errorf("read keys: %w", err)
		}
		// Without their password hashes: the cache re-checks tokens, it never signs in.
		if snap.Users, err = collect(ctx, tx, scanUser, `SELECT id, coalesce(tenant_id, ''), email, name, role, '',
			disabled, created_at, updated_at FROM users ORDER BY id`); err != nil {
			return fmt.Errorf("read users: %w", err)
		}
		if snap.Certs, err = collect(ctx, tx, scanCert, `SELECT `+certColumns+` FROM client_certs
			WHERE not_after > $1 ORDER BY tenant_id, id`, s.clock()); err != nil {
			return fmt.Errorf("read certificates: %w", err)
		}
		ca, err := getCA(ctx, tx)
		if errors.Is(err, tenant.ErrNotFound) {
			return nil
		}
		snap.CACert = ca.Certificate
		return err
	})
	if err != nil {
		return tenant.Snapshot{}, fmt.Errorf("snapshot catalog: %w", err)
	}
	return snap, nil
}
