package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/tenant"
	"github.com/trolly-logs/trolly/tenant/pki"
)

// Reasons a client certificate is refused, at the handshake or when rechecked.
const (
	reasonCertUnknown = "certificate_unknown"
	reasonCertRevoked = "certificate_revoked"
	reasonCertExpired = "certificate_expired"
	// reasonCertInvalid is a certificate TLS itself refused: another authority's, expired,
	// not for client authentication.
	reasonCertInvalid = "certificate_invalid"
)

// clientAuth returns base asking each client for a certificate of Trolly's authority.
// The authority is read at every handshake, so that one made after the listener started
// is trusted; a client without a certificate authenticates its messages by token.
func (g *Gateway) clientAuth(base *tls.Config) *tls.Config {
	cfg := base.Clone()
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		pool, err := g.dir.ClientCAs(hello.Context())
		if err != nil {
			return nil, fmt.Errorf("read the client certificate authority: %w", err)
		}
		c := base.Clone()
		c.ClientAuth, c.ClientCAs = tls.VerifyClientCertIfGiven, pool
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return nil
			}
			if _, ref := g.checkCert(hello.Context(), pki.Fingerprint(cs.PeerCertificates[0].Raw), g.now()); ref != nil {
				return ref
			}
			return nil
		}
		return c, nil
	}
	return cfg
}

// checkCert returns the certificate of fingerprint when it may send at now.
func (g *Gateway) checkCert(ctx context.Context, fingerprint string, now time.Time) (tenant.ClientCert, *refusal) {
	c, err := g.dir.ClientCert(ctx, fingerprint)
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		return c, &refusal{reason: reasonCertUnknown, detail: fmt.Sprintf("certificate %s is none the tenant catalog knows", fingerprint)}
	case err != nil:
		g.log.Error("look up client certificate", "err", err)
		return c, &refusal{reason: reasonUnavailable, detail: "the tenant directory is unavailable"}
	case !c.RevokedAt.IsZero():
		return c, &refusal{tenantID: c.TenantID, reason: reasonCertRevoked, detail: fmt.Sprintf("certificate %s (%q) is revoked", c.ID, c.Name)}
	case !c.Active(now):
		return c, &refusal{tenantID: c.TenantID, reason: reasonCertExpired, detail: fmt.Sprintf("certificate %s (%q) is not valid now", c.ID, c.Name)}
	}
	return c, nil
}

// certSender returns the sender of the connection's certificate, checking it again when
// known for authRecheck: a revoked certificate ends its open connections too.
func (rt *router) certSender(ctx context.Context) (*sender, *refusal) {
	now := rt.g.now()
	if s := rt.cert; s != nil && now.Sub(s.checked) < authRecheck {
		return s, nil
	}
	c, ref := rt.g.checkCert(ctx, rt.certFP, now)
	if ref != nil {
		return nil, ref
	}
	s, ref := rt.newSender(ctx, c.TenantID, now)
	rt.cert = s
	return s, ref
}

// handshakeRefusal names why a TLS handshake failed, for the log and the metrics.
func handshakeRefusal(err error) *refusal {
	var ref *refusal
	if errors.As(err, &ref) {
		return ref
	}
	var invalid *tls.CertificateVerificationError
	if errors.As(err, &invalid) {
		return &refusal{reason: reasonCertInvalid, detail: err.Error()}
	}
	return &refusal{reason: reasonHandshake, detail: err.Error()}
}
