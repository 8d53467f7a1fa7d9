package api

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant/pki"
)

// TestCertificates issues, reads, lists and revokes a certificate over REST, as a tenant's
// admin would with curl, on every catalog backend.
func TestCertificates(t *testing.T) {
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, open(t))
			admin := w.acme.adminJWT
			a := w.call(t, "POST", "/api/v1/certificates", admin, map[string]any{"name": "web-01"})
			require.Equal(t, 200, a.status, a.raw)
			meta := obj(a, "certificate")
			id := meta["id"].(string)
			require.Equal(t, "web-01", meta["name"])
			leaf := requireIssued(t, a.body["certificate_pem"].(string), a.body["ca_pem"].(string))
			require.Equal(t, []string{"acme"}, leaf.Subject.OrganizationalUnit)
			require.Equal(t, meta["fingerprint"], pki.Fingerprint(leaf.Raw))
			block, _ := pem.Decode([]byte(a.body["private_key_pem"].(string)))
			require.NotNil(t, block)
			require.Equal(t, "PRIVATE KEY", block.Type)
			keyPEM := a.body["private_key_pem"].(string)

			ca := w.call(t, "GET", "/api/v1/certificates/ca", admin, nil)
			require.Equal(t, 200, ca.status, ca.raw)
			require.Equal(t, a.body["ca_pem"], ca.body["ca_pem"], "the authority the certificate came with")

			got := w.call(t, "GET", "/api/v1/certificates/"+id, admin, nil)
			require.Equal(t, 200, got.status, got.raw)
			require.Equal(t, meta, got.body)
			list := w.call(t, "GET", "/api/v1/certificates", w.acme.adminKey, nil)
			require.Equal(t, 200, list.status, list.raw)
			var ids []string
			for _, c := range list.body["certificates"].([]any) {
				ids = append(ids, c.(map[string]any)["id"].(string))
			}
			require.Equal(t, []string{w.acme.certID, id}, ids, "acme's certificates only, acme-corp's never")
			for _, r := range []restAnswer{got, list} {
				require.NotContains(t, r.raw, "PRIVATE KEY", "the key is shown once")
				require.NotContains(t, r.raw, keyPEM[40:80])
			}

			past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
			far := time.Now().Add(900 * 24 * time.Hour).UTC().Format(time.RFC3339)
			requireError(t, w.call(t, "POST", "/api/v1/certificates", admin, map[string]any{"name": ""}), 400, "invalid_argument", "name")
			requireError(t, w.call(t, "POST", "/api/v1/certificates", admin, map[string]any{"name": "x\ny"}), 400, "invalid_argument", "name")
			requireError(t, w.call(t, "POST", "/api/v1/certificates", admin, map[string]any{"name": "h", "expire_time": past}), 400, "invalid_argument", "expire_time")
			requireError(t, w.call(t, "POST", "/api/v1/certificates", admin, map[string]any{"name": "h", "expire_time": far}), 400, "invalid_argument", "expire_time")

			for _, bearer := range []string{w.operator, w.acme.memberJWT, w.acme.readKey} {
				require.Equal(t, 403, w.call(t, "POST", "/api/v1/certificates", bearer, map[string]any{"name": "h"}).status)
				require.Equal(t, 403, w.call(t, "GET", "/api/v1/certificates", bearer, nil).status)
			}
			for _, r := range []restAnswer{
				w.call(t, "GET", "/api/v1/certificates/"+id, w.corp.adminJWT, nil),
				w.call(t, "POST", "/api/v1/certificates/"+id+"/revoke", w.corp.adminJWT, nil),
			} {
				requireError(t, r, 404, "not_found", "")
			}

			rev := w.call(t, "POST", "/api/v1/certificates/"+id+"/revoke", admin, nil)
			require.Equal(t, 200, rev.status, rev.raw)
			require.NotNil(t, rev.body["revoke_time"])
			again := w.call(t, "POST", "/api/v1/certificates/"+id+"/revoke", admin, nil)
			require.Equal(t, rev.body, again.body, "revoking again changes nothing")
		})
	}
}

// requireIssued checks that certPEM is a client certificate caPEM signed, and returns it.
func requireIssued(t *testing.T, certPEM, caPEM string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	require.NotNil(t, block)
	leaf, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM([]byte(caPEM)))
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
	return leaf
}
