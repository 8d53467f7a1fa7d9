package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const certCols = `id, tenant_id, name, serial, fingerprint, not_before, not_after, revoked_at, created_at`

func scanCert(r scanner) (tenant.ClientCert, error) {
	var c tenant.ClientCert
	var before, after, revoked, created sql.NullInt64
	if err := r.Scan(&c.ID, &c.TenantID, &c.Name, &c.Serial, &c.Fingerprint, &before, &after, &revoked, &created); err != nil {
		return c, err
	}
	c.NotBefore, c.NotAfter, c.RevokedAt, c.CreatedAt = timeOf(before), timeOf(after), timeOf(revoked), timeOf(created)
	return c, nil
}

func getCert(ctx context.Context, q querier, tenantID, id string) (tenant.ClientCert, error) {
	c, err := scanCert(q.QueryRowContext(ctx, `SELECT `+certCols+` FROM client_certs WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return c, notFound(err)
}

// CreateCert stores the record of a certificate of an existing tenant.
func (s *Store) CreateCert(ctx context.Context, actor tenant.Actor, c tenant.ClientCert) (tenant.ClientCert, error) {
	if err := c.Validate(); err != nil {
		return tenant.ClientCert{}, err
	}
	if c.ID == "" {
		c.ID = ulid.Make().String()
	}
	var out tenant.ClientCert
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		if _, err := getTenant(ctx, tx, c.TenantID); err != nil {
			return change{}, fmt.Errorf("tenant %s: %w", c.TenantID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO client_certs (`+certCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
			c.ID, c.TenantID, c.Name, c.Serial, c.Fingerprint, micros(c.NotBefore), micros(c.NotAfter), micros(now)); err != nil {
			return change{}, dbErr(err)
		}
		var err error
		out, err = getCert(ctx, tx, c.TenantID, c.ID)
		return change{action: "cert.issue", tenantID: c.TenantID, target: c.ID, details: tenant.CertDetails(c)}, err
	})
	if err != nil {
		return tenant.ClientCert{}, fmt.Errorf("create certificate: %w", err)
	}
	return out, nil
}

// GetCert returns a certificate of the tenant.
func (s *Store) GetCert(ctx context.Context, tenantID, id string) (tenant.ClientCert, error) {
	c, err := getCert(ctx, s.db, tenantID, id)
	if err != nil {
		return tenant.ClientCert{}, fmt.Errorf("get certificate %s: %w", id, err)
	}
	return c, nil
}

// ListCerts lists the tenant's certificates, revoked ones too, by id (issue order).
func (s *Store) ListCerts(ctx context.Context, tenantID string, pg tenant.Page) ([]tenant.ClientCert, string, error) {
	p, err := pg.Cursor()
	if err != nil {
		return nil, "", err
	}
	cs, err := queryAll(ctx, s.db, scanCert, `SELECT `+certCols+` FROM client_certs WHERE tenant_id = ? AND id > ?
		ORDER BY id LIMIT ?`, tenantID, p.After, p.Limit())
	if err != nil {
		return nil, "", fmt.Errorf("list certificates: %w", err)
	}
	cs, next := tenant.CutPage(cs, p, func(c tenant.ClientCert) string { return c.ID })
	return cs, next, nil
}

// RevokeCert marks a certificate of the tenant revoked; one revoked already stays as it
// was, with no audit entry.
func (s *Store) RevokeCert(ctx context.Context, actor tenant.Actor, tenantID, id string) error {
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		c, err := getCert(ctx, tx, tenantID, id)
		if err != nil || !c.RevokedAt.IsZero() {
			return change{}, err
		}
		_, err = tx.ExecContext(ctx, `UPDATE client_certs SET revoked_at = ? WHERE id = ?`, micros(now), id)
		return change{action: "cert.revoke", tenantID: tenantID, target: id, details: map[string]string{"name": c.Name}}, err
	})
	if err != nil {
		return fmt.Errorf("revoke certificate %s: %w", id, err)
	}
	return nil
}

func getCA(ctx context.Context, q querier) (tenant.CertAuthority, error) {
	var ca tenant.CertAuthority
	var created sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT certificate, private_key, created_at FROM cert_authority`).
		Scan(&ca.Certificate, &ca.PrivateKey, &created)
	ca.CreatedAt = timeOf(created)
	return ca, notFound(err)
}

// CertAuthority returns the catalog's certificate authority.
func (s *Store) CertAuthority(ctx context.Context) (tenant.CertAuthority, error) {
	ca, err := getCA(ctx, s.db)
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("read certificate authority: %w", err)
	}
	return ca, nil
}

// InitCertAuthority stores ca unless there is one; writers take turns (BEGIN IMMEDIATE),
// so the second finds the first's.
func (s *Store) InitCertAuthority(ctx context.Context, actor tenant.Actor, ca tenant.CertAuthority) (tenant.CertAuthority, error) {
	if len(ca.Certificate) == 0 || len(ca.PrivateKey) == 0 {
		return tenant.CertAuthority{}, tenant.Invalid("certificate", "a certificate authority needs a certificate and a private key")
	}
	var out tenant.CertAuthority
	err := s.change(ctx, actor, func(tx *sql.Tx, now time.Time) (change, error) {
		var err error
		out, err = getCA(ctx, tx)
		if !errors.Is(err, tenant.ErrNotFound) {
			return change{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cert_authority (id, certificate, private_key, created_at) VALUES (1, ?, ?, ?)`,
			ca.Certificate, ca.PrivateKey, micros(now)); err != nil {
			return change{}, dbErr(err)
		}
		out, err = getCA(ctx, tx)
		return change{action: "ca.create", target: "client-ca"}, err
	})
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("store certificate authority: %w", err)
	}
	return out, nil
}
