package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/oklog/ulid/v2"
	"golang.org/x/crypto/argon2"
)

// keyPrefix starts every API key Trolly makes, so that scanners recognise leaked ones.
const keyPrefix = "trl_"

// NewKeySecret makes a new API key: its ID and the secret shown once, "trl_<id>_<random>".
func NewKeySecret() (id, secret string) {
	id = ulid.Make().String()
	return id, keyPrefix + id + "_" + randomString(32)
}

// NewPassword makes a random password, for accounts made without one.
func NewPassword() string { return randomString(18) }

// NewToken makes a random refresh token and its hash.
func NewToken() (token, hash string) {
	token = randomString(32)
	return token, HashToken(token)
}

// HashToken returns the stored form of a refresh token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// PasswordParams are the costs of argon2id.
type PasswordParams struct {
	// Memory in KiB, Time in passes.
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultPasswordParams follow the usual advice for interactive sign-in.
var DefaultPasswordParams = PasswordParams{Memory: 64 << 10, Time: 2, Threads: 2}

// HashPassword returns an argon2id PHC string of password.
func HashPassword(password string, p PasswordParams) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("not an argon2id hash")

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
