package auth

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

// Config configures sign-in and tokens.
type Config struct {
	// Issuer is the "iss" of access tokens.
	Issuer string `yaml:"issuer"`
	// AccessTTL is how long an access token is valid; it cannot be revoked, so keep it short.
	AccessTTL time.Duration `yaml:"access_ttl"`
	// RefreshTTL is how long a refresh token is valid after it was issued.
	RefreshTTL time.Duration `yaml:"refresh_ttl"`
	// SigningKeyRotation is how long a key signs; it verifies AccessTTL longer.
	SigningKeyRotation time.Duration `yaml:"signing_key_rotation"`
	// LoginFailuresPerAccount and LoginFailuresPerAddress are how many failed sign-ins
	// one account or one address may have in LoginFailureWindow.
	LoginFailuresPerAccount int           `yaml:"login_failures_per_account"`
	LoginFailuresPerAddress int           `yaml:"login_failures_per_address"`
	LoginFailureWindow      time.Duration `yaml:"login_failure_window"`
	// PasswordHashConcurrency bounds the password hashes made or checked at once, each
	// costing the argon2 memory (64 MiB by default); 0 is the number of CPUs.
	PasswordHashConcurrency int `yaml:"password_hash_concurrency"`
	// PasswordHashWait is how long a sign-in waits for a hash slot before it is answered
	// 429 with Retry-After.
	PasswordHashWait time.Duration `yaml:"password_hash_wait"`
	// Password is the cost of new password hashes, and of the check run for unknown emails.
	Password tenant.PasswordParams `yaml:"-"`
}

// ApplyDefaults fills in unset fields.
func (c *Config) ApplyDefaults() {
	setIfZero(&c.Issuer, "trolly")
	setIfZero(&c.AccessTTL, 15*time.Minute)
	setIfZero(&c.RefreshTTL, 30*24*time.Hour)
	setIfZero(&c.SigningKeyRotation, 7*24*time.Hour)
	setIfZero(&c.LoginFailuresPerAccount, 5)
	setIfZero(&c.LoginFailuresPerAddress, 20)
	setIfZero(&c.LoginFailureWindow, 15*time.Minute)
	setIfZero(&c.PasswordHashConcurrency, runtime.GOMAXPROCS(0))
	setIfZero(&c.PasswordHashWait, time.Second)
	setIfZero(&c.Password, tenant.DefaultPasswordParams)
}

// maxHashConcurrency keeps the hashes' memory sane: 256 at 64 MiB are 16 GiB.
const maxHashConcurrency = 256

func setIfZero[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Validate reports bad values by key.
func (c Config) Validate() error {
	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Issuer == "" {
		fail("issuer", "is required")
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"access_ttl", c.AccessTTL},
		{"refresh_ttl", c.RefreshTTL},
		{"signing_key_rotation", c.SigningKeyRotation},
		{"login_failure_window", c.LoginFailureWindow},
	} {
		if d.v <= 0 {
			fail(d.key, "must be > 0, got %s", d.v)
		}
	}
	if c.AccessTTL > 0 && c.RefreshTTL > 0 && c.RefreshTTL < c.AccessTTL {
		fail("refresh_ttl", "must be at least access_ttl (%s), got %s", c.AccessTTL, c.RefreshTTL)
	}
	if c.AccessTTL > 0 && c.SigningKeyRotation > 0 && c.SigningKeyRotation < c.AccessTTL {
		fail("signing_key_rotation", "must be at least access_ttl (%s), got %s", c.AccessTTL, c.SigningKeyRotation)
	}
	if c.LoginFailuresPerAccount <= 0 {
		fail("login_failures_per_account", "must be > 0, got %d", c.LoginFailuresPerAccount)
	}
	if c.LoginFailuresPerAddress <= 0 {
		fail("login_failures_per_address", "must be > 0, got %d", c.LoginFailuresPerAddress)
	}
	if c.PasswordHashConcurrency < 1 || c.PasswordHashConcurrency > maxHashConcurrency {
		fail("password_hash_concurrency", "must be 1 to %d, got %d", maxHashConcurrency, c.PasswordHashConcurrency)
	}
	if c.PasswordHashWait <= 0 || c.PasswordHashWait > time.Minute {
		fail("password_hash_wait", "must be > 0 and at most 1m, got %s", c.PasswordHashWait)
	}
	if p := c.Password; p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) {
		fail("password", "argon2 costs need time >= 1, threads >= 1 and memory >= 8*threads KiB, got %+v", p)
	}
	return errors.Join(errs...)
}
