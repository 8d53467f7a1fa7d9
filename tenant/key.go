package tenant

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

const hashPrefix = "sha256:"

// HashKey returns the stored form of an API key secret. Secrets are random tokens, so one
// SHA-256 is enough: there is no low-entropy password to stretch.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hashPrefix + hex.EncodeToString(sum[:])
}

// parseHash returns the digest of a stored hash.
func parseHash(h string) ([sha256.Size]byte, error) {
	var d [sha256.Size]byte
	hexDigest, ok := strings.CutPrefix(h, hashPrefix)
	if !ok {
		return d, fmt.Errorf("hash must start with %q (make one with `trolly hash-key`)", hashPrefix)
	}
	b, err := hex.DecodeString(hexDigest)
	if err != nil || len(b) != sha256.Size {
		return d, fmt.Errorf("hash must be %q and %d hex digits", hashPrefix, 2*sha256.Size)
	}
	copy(d[:], b)
	return d, nil
}

// digestEqual compares two digests in constant time.
func digestEqual(a, b [sha256.Size]byte) bool {
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// BearerToken returns the token of an "Authorization: Bearer <token>" header value.
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// CertDetails are what the audit log says of an issued certificate; never its key.
func CertDetails(c ClientCert) map[string]string {
	return map[string]string{"name": c.Name, "serial": c.Serial, "fingerprint": c.Fingerprint,
		"not_after": c.NotAfter.UTC().Format(time.RFC3339)}
}
