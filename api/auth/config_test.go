package auth

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

func TestConfigDefaults(t *testing.T) {
	var c Config
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.Equal(t, Config{
		Issuer: "trolly", AccessTTL: 15 * time.Minute, RefreshTTL: 720 * time.Hour,
		SigningKeyRotation: 168 * time.Hour, LoginFailuresPerAccount: 5, LoginFailuresPerAddress: 20,
		LoginFailureWindow: 15 * time.Minute, Password: tenant.DefaultPasswordParams,
		PasswordHashConcurrency: runtime.GOMAXPROCS(0), PasswordHashWait: time.Second,
	}, c)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		key    string
		change func(*Config)
	}{
		{"issuer", func(c *Config) { c.Issuer = "" }},
		{"access_ttl", func(c *Config) { c.AccessTTL = -time.Second }},
		{"refresh_ttl", func(c *Config) { c.RefreshTTL = time.Minute }},
		{"signing_key_rotation", func(c *Config) { c.SigningKeyRotation = time.Minute }},
		{"login_failures_per_account", func(c *Config) { c.LoginFailuresPerAccount = -1 }},
		{"login_failures_per_address", func(c *Config) { c.LoginFailuresPerAddress = -1 }},
		{"login_failure_window", func(c *Config) { c.LoginFailureWindow = -time.Minute }},
		{"password", func(c *Config) { c.Password.Threads = 0 }},
		{"password_hash_concurrency", func(c *Config) { c.PasswordHashConcurrency = -1 }},
		{"password_hash_concurrency", func(c *Config) { c.PasswordHashConcurrency = 1000 }},
		{"password_hash_wait", func(c *Config) { c.PasswordHashWait = -time.Second }},
		{"password_hash_wait", func(c *Config) { c.PasswordHashWait = time.Hour }},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			var c Config
			c.ApplyDefaults()
			tc.change(&c)
			err := c.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.key+":")
		})
	}
}
