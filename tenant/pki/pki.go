package pki

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

const (
	// caLife is how long the authority signs: long, since replacing it means reissuing
	// every certificate.
	caLife = 10 * 365 * 24 * time.Hour
	// DefaultValidity is how long an issued certificate lasts unless asked otherwise.
	DefaultValidity = 365 * 24 * time.Hour
	// MaxValidity bounds an issued certificate's life, as browsers bound servers'.
	MaxValidity = 825 * 24 * time.Hour
	// skew backdates NotBefore, so that a client whose clock is a little behind is not
	// refused a certificate just made.
	skew = 5 * time.Minute
	// caName is the authority's subject.
	caName = "Trolly client CA"
)

// systemActor records the authority's creation, which follows a person's request but is
// no change of theirs.
var systemActor = tenant.Actor{Kind: "system", Name: "certificate authority"}

// CA signs client certificates.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// Ensure returns the catalog's authority, making and storing one on first need. Processes
// making one at once all end with the one stored first.
func Ensure(ctx context.Context, cat tenant.Catalog, now time.Time) (*CA, error) {
	stored, err := cat.CertAuthority(ctx)
	if errors.Is(err, tenant.ErrNotFound) {
		var fresh tenant.CertAuthority
		if fresh, err = New(now); err != nil {
			return nil, err
		}
		stored, err = cat.InitCertAuthority(ctx, systemActor, fresh)
	}
	if err != nil {
		return nil, err
	}
	return Parse(stored)
}

// New makes an authority: an ECDSA P-256 key and its self-signed certificate.
func New(now time.Time) (tenant.CertAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("make CA key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return tenant.CertAuthority{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: caName, Organization: []string{"Trolly"}},
		NotBefore:             now.Add(-skew),
		NotAfter:              now.Add(caLife),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("sign CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tenant.CertAuthority{}, fmt.Errorf("encode CA key: %w", err)
	}
	return tenant.CertAuthority{Certificate: der, PrivateKey: keyDER, CreatedAt: now}, nil
}

// Parse reads a stored authority.
func Parse(ca tenant.CertAuthority) (*CA, error) {
	cert, err := x509.ParseCertificate(ca.Certificate)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(ca.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("read CA key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("read CA key: it is not the ECDSA key of the CA certificate")
	}
	return &CA{cert: cert, key: key}, nil
}

// PEM returns the authority's certificate, for clients and servers to trust.
func (ca *CA) PEM() []byte { return certPEM(ca.cert.Raw) }

// Issued is a certificate just made: its record, and the PEM handed to the caller once.
type Issued struct {
	Cert    tenant.ClientCert
	CertPEM []byte
	// KeyPEM is the PKCS #8 private key; it is kept nowhere.
	KeyPEM []byte
}

// Issue makes a client certificate for t named name, valid from now until notAfter (zero:
// DefaultValidity). Its subject is CN=name, O=the tenant's name, OU=its id.
func (ca *CA) Issue(t tenant.Tenant, name string, now, notAfter time.Time) (Issued, error) {
	if err := tenant.ValidateCertName(name); err != nil {
		return Issued{}, err
	}
	if notAfter.IsZero() {
		notAfter = now.Add(DefaultValidity)
	}
	switch {
	case !notAfter.After(now):
		return Issued{}, tenant.Invalid("expire_time", "must be in the future")
	case notAfter.Sub(now) > MaxValidity:
		return Issued{}, tenant.Invalid("expire_time", "must be at most %d days away", MaxValidity/(24*time.Hour))
	case notAfter.After(ca.cert.NotAfter):
		return Issued{}, tenant.Invalid("expire_time", "must be before the CA expires, %s", ca.cert.NotAfter.Format(time.RFC3339))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Issued{}, fmt.Errorf("make certificate key: %w", err)
	}
	serial, err := newSerial()
	if err != nil {
		return Issued{}, err
	}
	// Times as the catalog keeps them (seconds suffice in X.509), so record and
	// certificate agree.
	notBefore := now.Add(-skew).UTC().Truncate(time.Second)
	notAfter = notAfter.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{t.Name}, OrganizationalUnit: []string{t.ID}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return Issued{}, fmt.Errorf("sign certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Issued{}, fmt.Errorf("encode certificate key: %w", err)
	}
	rec := tenant.ClientCert{TenantID: t.ID, Name: name, Serial: hex.EncodeToString(serial.Bytes()),
		Fingerprint: Fingerprint(der), NotBefore: notBefore, NotAfter: notAfter}
	return Issued{Cert: rec, CertPEM: certPEM(der),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})}, nil
}

// Fingerprint is how the catalog names a certificate: the hex SHA-256 of its DER.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// Pool returns a pool that trusts the authority certificate der; an empty pool, which
// trusts nothing, for none.
func Pool(der []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if len(der) == 0 {
		return pool, nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	pool.AddCert(cert)
	return pool, nil
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// newSerial returns a random positive 128-bit serial number, as RFC 5280 asks (at most 20
// octets, and unpredictable).
func newSerial() (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("make serial number: %w", err)
	}
	b[0] &= 0x7f // positive within 16 octets
	b[0] |= 0x40 // and never short, so hex serials have one length
	return new(big.Int).SetBytes(b), nil
}
