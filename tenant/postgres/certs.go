package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const certColumns = `id, tenant_id, name, serial, fingerprint, not_before, not_after, revoked_at, created_at`

func scanCert(row pgx.Row) (tenant.ClientCert, error) {
	var c tenant.ClientCert
	var revoked *time.Time
	if err := row.Scan(&c.ID, &c.TenantID, &c.Name, &c.Serial, &c.Fingerprint, &c.NotBefore, &c.NotAfter,
		&revoked, &c.CreatedAt); err != nil {
		return tenant.ClientCert{}, err
	}
	c.NotBefore, c.NotAfter, c.CreatedAt, c.RevokedAt = c.NotBefore.UTC(), c.NotAfter.UTC(), c.CreatedAt.UTC(), fromNull(revoked)
	return c, nil
}

// CreateCert stores the record of an issued certificate, giving it an ID unless it has one.
func (s *Store) CreateCert(ctx context.Context, actor tenant.Actor, c tenant.ClientCert) (tenant.ClientCert, error) {
	if err := c.Validate(); err != nil {
		return tenant.ClientCert{}, err
	}
	if c.ID == "" {
		c.ID = ulid.Make().String()
	}
	var out tenant.ClientCert
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var err error
		out, err = scanCert(tx.QueryRow(ctx, `INSERT INTO client_certs (`+certColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8) RETURNING `+certColumns,
			c.ID, c.TenantID, c.Name, c.Serial, c.Fingerprint, dbTime(c.NotBefore), dbTime(c.NotAfter), now))
		if err != nil {
			return tenant.AuditEntry{}, classify(err, fmt.Errorf("%w: tenant %s", tenant.ErrNotFound, c.TenantID))
		}
		return tenant.AuditEntry{TenantID: c.TenantID, Action: "cert.issue", Target: c.ID, Details: tenant.CertDetails(c)}, nil
	})
	if err != nil {
		return tenant.ClientCert{}, fmt.Errorf("create certificate %s: %w", c.Name, err)
	}
	return out, nil
}

// GetCert returns a tenant's certificate by id, revoked or not.
func (s *Store) GetCert(ctx context.Context, tenantID, id string) (tenant.ClientCert, error) {
	c, err := scanCert(s.pool.QueryRow(ctx, `SELECT `+certColumns+` FROM client_certs
		WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if err != nil {
		return tenant.ClientCert{}, fmt.Errorf("get certificate %s: %w", id, notFound(err))
	}
	return c, nil
}

// ListCerts returns a tenant's certificates, revoked ones too, by id.
func (s *Store) ListCerts(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.ClientCert, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	cs, err := collect(ctx, s.pool, scanCert, `SELECT `+certColumns+` FROM client_certs
		WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list certificates of %s: %w", tenantID, err)
	}
	cs, next := tenant.CutPage(cs, p, func(c tenant.ClientCert) string { return c.ID })
	return cs, next, nil
}

// RevokeCert marks a tenant's certificate revoked; revoking it again changes nothing.
func (s *Store) RevokeCert(ctx context.Context, actor tenant.Actor, tenantID, id string) error {
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var revoked *time.Time
		var name string
		err := tx.QueryRow(ctx, `SELECT name, revoked_at FROM client_certs WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
			id, tenantID).Scan(&name, &revoked)
		if err != nil {
			return tenant.AuditEntry{}, notFound(err)
		}
		if revoked != nil {
			return tenant.AuditEntry{}, errUnchanged
		}
		if _, err := tx.Exec(ctx, `UPDATE client_certs SET revoked_at = $2 WHERE id = $1`, id, now); err != nil {
			return tenant.AuditEntry{}, err
		}
		return tenant.AuditEntry{TenantID: tenantID, Action: "cert.revoke", Target: id,
			Details: map[string]string{"name": name}}, nil
	})
	if err != nil {
		return fmt.Errorf("revoke certificate %s: %w", id, err)
	}
	return nil
}

func getCA(ctx context.Context, q querier) (tenant.CertAuthority, error) {
	var ca tenant.CertAuthority
	err := q.QueryRow(ctx, `SELECT certificate, private_key, created_at FROM cert_authority`).
		Scan(&ca.Certificate, &ca.PrivateKey, &ca.CreatedAt)
	ca.CreatedAt = ca.CreatedAt.UTC()
	return ca, notFound(err)
}

// CertAuthority returns the catalog's certificate authority.
func (s *Store) CertAuthority(ctx context.Context) (tenant.CertAuthority, error) {
	ca, err := getCA(ctx, s.pool)
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("read certificate authority: %w", err)
	}
	return ca, nil
}

// InitCertAuthority stores ca unless there is one. Changes hold the version row's lock, so
// a second process waits for the first and then finds its authority.
func (s *Store) InitCertAuthority(ctx context.Context, actor tenant.Actor, ca tenant.CertAuthority) (tenant.CertAuthority, error) {
	if len(ca.Certificate) == 0 || len(ca.PrivateKey) == 0 {
		return tenant.CertAuthority{}, tenant.Invalid("certificate", "a certificate authority needs a certificate and a private key")
	}
	var out tenant.CertAuthority
	err := s.change(ctx, actor, func(tx pgx.Tx, now time.Time) (tenant.AuditEntry, error) {
		var err error
		out, err = getCA(ctx, tx)
		switch {
		case err == nil:
			return tenant.AuditEntry{}, errUnchanged
		case !errors.Is(err, tenant.ErrNotFound):
			return tenant.AuditEntry{}, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cert_authority (id, certificate, private_key, created_at)
			VALUES (1, $1, $2, $3)`, ca.Certificate, ca.PrivateKey, now); err != nil {
			return tenant.AuditEntry{}, err
		}
		out = tenant.CertAuthority{Certificate: ca.Certificate, PrivateKey: ca.PrivateKey, CreatedAt: now}
		return tenant.AuditEntry{Action: "ca.create", Target: "client-ca"}, nil
	})
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("store certificate authority: %w", err)
	}
	return out, nil
}
