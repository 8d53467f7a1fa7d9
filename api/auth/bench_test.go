package auth

import (
	"context"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/tenant"
)

// BenchmarkParseAccess is the cost every API call with an access token pays.
func BenchmarkParseAccess(b *testing.B) {
	key, lookup := testKeys(b)
	parser := newParser("trolly", func() time.Time { return t0.Add(time.Minute) })
	p := tenant.Principal{TenantID: "acme", UserID: "01JUSER0000000000000000000", Role: tenant.RoleAdmin}
	tok, _, err := signAccess(key, "trolly", p, "01JSESSION0000000000000000", t0, 15*time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseAccess(ctx, parser, tok, lookup); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordHash is the cost of one sign-in with the default argon2id parameters.
func BenchmarkPasswordHash(b *testing.B) {
	h := tenant.HashPassword("correct horse battery", tenant.DefaultPasswordParams)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := tenant.CheckPassword(h, "correct horse battery"); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
