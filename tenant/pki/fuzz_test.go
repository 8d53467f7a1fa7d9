package pki

import (
	"testing"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

// FuzzParse reads authorities as the catalog could hold them: any bytes are refused with
// an error or give an authority that issues certificates it trusts.
func FuzzParse(f *testing.F) {
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	ca, err := New(now)
	if err != nil {
		f.Fatal(err)
	}
	other, err := New(now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ca.Certificate, ca.PrivateKey)
	f.Add(ca.Certificate, other.PrivateKey)
	f.Add(ca.Certificate[:len(ca.Certificate)/2], ca.PrivateKey)
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, cert, key []byte) {
		if _, err := Pool(cert); err != nil && len(cert) == 0 {
			t.Fatalf("an empty authority is an empty pool, got %v", err)
		}
		parsed, err := Parse(tenant.CertAuthority{Certificate: cert, PrivateKey: key})
		if err != nil {
			return
		}
		is, err := parsed.Issue(tenant.Tenant{ID: "acme", Name: "ACME"}, "host", now, now.Add(time.Hour))
		if err != nil {
			return // an authority past its time, or one that cannot sign, refuses to issue
		}
		if err := is.Cert.Validate(); err != nil {
			t.Fatalf("an issued certificate's record is invalid: %v", err)
		}
	})
}
