package pki

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func parsePEM(t *testing.T, b []byte, typ string) []byte {
	t.Helper()
	block, rest := pem.Decode(b)
	require.NotNil(t, block)
	require.Empty(t, rest)
	require.Equal(t, typ, block.Type)
	return block.Bytes
}

func newCA(t *testing.T, now time.Time) (*CA, tenant.CertAuthority) {
	t.Helper()
	stored, err := New(now)
	require.NoError(t, err)
	ca, err := Parse(stored)
	require.NoError(t, err)
	return ca, stored
}

func TestIssue(t *testing.T) {
	now := time.Now()
	ca, stored := newCA(t, now)
	caCert, err := x509.ParseCertificate(stored.Certificate)
	require.NoError(t, err)
	require.True(t, caCert.IsCA)
	require.Equal(t, "Trolly client CA", caCert.Subject.CommonName)
	require.WithinDuration(t, now.Add(10*365*24*time.Hour), caCert.NotAfter, time.Second)
	require.Equal(t, stored.Certificate, parsePEM(t, ca.PEM(), "CERTIFICATE"))

	acme := tenant.Tenant{ID: "acme", Name: "ACME Corp"}
	is, err := ca.Issue(acme, "web-01", now, time.Time{})
	require.NoError(t, err)
	der := parsePEM(t, is.CertPEM, "CERTIFICATE")
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	require.Equal(t, "web-01", leaf.Subject.CommonName)
	require.Equal(t, []string{"ACME Corp"}, leaf.Subject.Organization)
	require.Equal(t, []string{"acme"}, leaf.Subject.OrganizationalUnit)
	require.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, leaf.ExtKeyUsage)
	require.False(t, leaf.IsCA)
	require.Equal(t, hex.EncodeToString(leaf.SerialNumber.Bytes()), is.Cert.Serial)
	require.Len(t, is.Cert.Serial, 32, "128 bits")
	require.Equal(t, Fingerprint(der), is.Cert.Fingerprint)
	require.True(t, leaf.NotBefore.Equal(is.Cert.NotBefore) && leaf.NotAfter.Equal(is.Cert.NotAfter))
	require.True(t, leaf.NotBefore.Before(now), "backdated for clock skew")
	require.WithinDuration(t, now.Add(DefaultValidity), leaf.NotAfter, time.Second)
	require.Equal(t, tenant.ClientCert{TenantID: "acme", Name: "web-01", Serial: is.Cert.Serial, Fingerprint: is.Cert.Fingerprint,
		NotBefore: is.Cert.NotBefore, NotAfter: is.Cert.NotAfter}, is.Cert)
	require.NoError(t, is.Cert.Validate())

	pool, err := Pool(stored.Certificate)
	require.NoError(t, err)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.NoError(t, err)
	key, err := x509.ParsePKCS8PrivateKey(parsePEM(t, is.KeyPEM, "PRIVATE KEY"))
	require.NoError(t, err)
	require.True(t, key.(*ecdsa.PrivateKey).PublicKey.Equal(leaf.PublicKey), "the key is the certificate's")

	other, _ := newCA(t, now)
	again, err := other.Issue(acme, "web-01", now, time.Time{})
	require.NoError(t, err)
	otherLeaf, err := x509.ParseCertificate(parsePEM(t, again.CertPEM, "CERTIFICATE"))
	require.NoError(t, err)
	_, err = otherLeaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	require.Error(t, err, "another authority's certificate is not trusted")
	require.NotEqual(t, is.Cert.Serial, again.Cert.Serial)
}

func TestIssueRefused(t *testing.T) {
	now := time.Now()
	ca, _ := newCA(t, now)
	acme := tenant.Tenant{ID: "acme", Name: "ACME"}
	for _, c := range []struct {
		name, field string
		notAfter    time.Time
	}{
		{"", "name", time.Time{}},
		{"tab\there", "name", time.Time{}},
		{string(make([]byte, 65)), "name", time.Time{}},
		{"host", "expire_time", now.Add(-time.Minute)},
		{"host", "expire_time", now.Add(MaxValidity + time.Hour)},
	} {
		_, err := ca.Issue(acme, c.name, now, c.notAfter)
		require.ErrorIs(t, err, tenant.ErrInvalid, "%q until %v", c.name, c.notAfter)
		require.Equal(t, c.field, tenant.FieldOf(err))
	}
	_, err := ca.Issue(acme, "host", now, now.Add(MaxValidity))
	require.NoError(t, err, "the longest validity")
}

func TestParseRefused(t *testing.T) {
	now := time.Now()
	_, a := newCA(t, now)
	_, b := newCA(t, now)
	_, err := Parse(tenant.CertAuthority{Certificate: a.Certificate, PrivateKey: b.PrivateKey})
	require.ErrorContains(t, err, "not the ECDSA key of the CA certificate")
	_, err = Parse(tenant.CertAuthority{Certificate: []byte("junk"), PrivateKey: a.PrivateKey})
	require.ErrorContains(t, err, "read CA certificate")
	_, err = Pool([]byte("junk"))
	require.Error(t, err)
	pool, err := Pool(nil)
	require.NoError(t, err)
	require.True(t, pool.Equal(x509.NewCertPool()))
}
