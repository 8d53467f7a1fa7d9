package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trolly-logs/trolly/tenant"
)

// Version returns the catalog's version.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	if err := s.db.QueryRowContext(ctx, `SELECT version FROM catalog_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read catalog version: %w", err)
	}
	return v, nil
}

// Snapshot returns every tenant, user, stream and unrevoked key, the certificates not yet
// expired and the authority's certificate, with the version they are at, from one read
// transaction.
func (s *Store) Snapshot(ctx context.Context) (tenant.Snapshot, error) {
	var snap tenant.Snapshot
	now := s.now()
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT version FROM catalog_version`).Scan(&snap.Version); err != nil {
			return err
		}
		var err error
		if snap.Tenants, err = queryAll(ctx, tx, scanTenant, tenantSelect+` ORDER BY t.id`); err != nil {
			return err
		}
		if snap.Streams, err = queryAll(ctx, tx, scanStream, `SELECT `+streamCols+` FROM streams ORDER BY tenant_id, name`); err != nil {
			return err
		}
		if snap.Keys, err = queryAll(ctx, tx, scanKey, `SELECT `+keyCols+` FROM api_keys WHERE revoked_at IS NULL ORDER BY id`); err != nil {
			return err
		}
		// Without their password hashes: the cache re-checks tokens, it never signs in.
		if snap.Users, err = queryAll(ctx, tx, scanUser, `SELECT id, tenant_id, email, name, role, '', disabled, created_at, updated_at
			FROM users ORDER BY id`); err != nil {
			return err
		}
		if snap.Certs, err = queryAll(ctx, tx, scanCert, `SELECT `+certCols+` FROM client_certs WHERE not_after > ? ORDER BY id`,
			now.UnixMicro()); err != nil {
			return err
		}
		ca, err := getCA(ctx, tx)
		if errors.Is(err, tenant.ErrNotFound) {
			return nil
		}
		snap.CACert = ca.Certificate
		return err
	})
	if err != nil {
		return tenant.Snapshot{}, fmt.Errorf("read catalog snapshot: %w", err)
	}
	return snap, nil
}
