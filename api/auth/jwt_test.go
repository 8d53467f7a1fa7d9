package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

const testKID = "01JAAAAAAAAAAAAAAAAAAAAAAA"

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// testKeys returns a signing key and the lookup that knows only it.
func testKeys(t testing.TB) (signingKey, keyLookup) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	lookup := func(_ context.Context, kid string) (ed25519.PublicKey, error) {
		if kid == testKID {
			return pub, nil
		}
		return nil, tenant.ErrUnauthenticated
	}
	return signingKey{id: testKID, priv: priv}, lookup
}

// validClaims are the claims signAccess makes, for forging variants of.
func validClaims(now time.Time) accessClaims {
	return accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    "trolly",
			Subject:   "01JUSER0000000000000000000",
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(15 * time.Minute)),
			ID:        "01JJTI00000000000000000000",
		},
		TenantID:  "acme",
		Role:      tenant.RoleMember,
		SessionID: "01JSESSION0000000000000000",
	}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, c jwt.Claims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func segment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestSignAndParseAccess(t *testing.T) {
	key, lookup := testKeys(t)
	parser := newParser("trolly", func() time.Time { return t0.Add(time.Minute) })
	p := tenant.Principal{TenantID: "acme", UserID: "01JUSER0000000000000000000", Role: tenant.RoleAdmin}
	tok, exp, err := signAccess(key, "trolly", p, "01JSESSION0000000000000000", t0, 15*time.Minute)
	require.NoError(t, err)
	require.Equal(t, t0.Add(15*time.Minute), exp)
	require.True(t, looksLikeJWT(tok))

	got, err := parseAccess(context.Background(), parser, tok, lookup)
	require.NoError(t, err)
	require.Equal(t, p, got)

	var c accessClaims
	_, _, err = jwt.NewParser().ParseUnverified(tok, &c)
	require.NoError(t, err)
	require.Equal(t, "01JSESSION0000000000000000", c.SessionID)
	require.NotEmpty(t, c.ID)
	require.Equal(t, jwt.ClaimStrings{audience}, c.Audience)

	op := tenant.Principal{UserID: "01JOPERATOR000000000000000", Role: tenant.RoleOperator}
	tok, _, err = signAccess(key, "trolly", op, "01JSESSION0000000000000000", t0, 15*time.Minute)
	require.NoError(t, err)
	got, err = parseAccess(context.Background(), parser, tok, lookup)
	require.NoError(t, err)
	require.Equal(t, op, got)
}

func TestParseAccessRefuses(t *testing.T) {
	key, lookup := testKeys(t)
	now := t0.Add(time.Minute)
	_, otherKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	with := func(change func(*accessClaims)) accessClaims {
		c := validClaims(t0)
		change(&c)
		return c
	}
	eddsa := func(c accessClaims) string { return sign(t, jwt.SigningMethodEdDSA, key.priv, testKID, c) }
	valid := eddsa(validClaims(t0))
	parts := strings.Split(valid, ".")

	tests := []struct {
		name  string
		token string
	}{
		{"alg none", segment(t, map[string]string{"alg": "none", "typ": "JWT", "kid": testKID}) + "." + parts[1] + "."},
		{"alg none with a signature", segment(t, map[string]string{"alg": "none", "kid": testKID}) + "." + parts[1] + "." + parts[2]},
		{"HS256 with the public key as secret", sign(t, jwt.SigningMethodHS256, []byte(key.priv.Public().(ed25519.PublicKey)), testKID, validClaims(t0))},
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, testKID, validClaims(t0))},
		{"another key under a known kid", sign(t, jwt.SigningMethodEdDSA, otherKey, testKID, validClaims(t0))},
		{"unknown kid", sign(t, jwt.SigningMethodEdDSA, key.priv, "01JUNKNOWN0000000000000000", validClaims(t0))},
		{"no kid", sign(t, jwt.SigningMethodEdDSA, key.priv, "", validClaims(t0))},
		{"tampered payload", parts[0] + "." + segment(t, with(func(c *accessClaims) { c.Role = tenant.RoleAdmin })) + "." + parts[2]},
		{"tampered header", segment(t, map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": testKID, "x": "y"}) + "." + parts[1] + "." + parts[2]},
		{"expired beyond the leeway", eddsa(with(func(c *accessClaims) {
			c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute))
		}))},
		{"no expiry", eddsa(with(func(c *accessClaims) { c.ExpiresAt = nil }))},
		{"not yet valid", eddsa(with(func(c *accessClaims) { c.NotBefore = jwt.NewNumericDate(now.Add(time.Minute)) }))},
		{"issued in the future", eddsa(with(func(c *accessClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }))},
		{"wrong issuer", eddsa(with(func(c *accessClaims) { c.Issuer = "someone-else" }))},
		{"no issuer", eddsa(with(func(c *accessClaims) { c.Issuer = "" }))},
		{"wrong audience", eddsa(with(func(c *accessClaims) { c.Audience = jwt.ClaimStrings{"trolly-web"} }))},
		{"no audience", eddsa(with(func(c *accessClaims) { c.Audience = nil }))},
		{"unknown role", eddsa(with(func(c *accessClaims) { c.Role = "root" }))},
		{"no role", eddsa(with(func(c *accessClaims) { c.Role = "" }))},
		{"member without tid", eddsa(with(func(c *accessClaims) { c.TenantID = "" }))},
		{"admin without tid", eddsa(with(func(c *accessClaims) { c.Role, c.TenantID = tenant.RoleAdmin, "" }))},
		{"tid not a tenant id", eddsa(with(func(c *accessClaims) { c.TenantID = "../acme" }))},
		{"operator with a tid", eddsa(with(func(c *accessClaims) { c.Role = tenant.RoleOperator }))},
		{"no subject", eddsa(with(func(c *accessClaims) { c.Subject = "" }))},
		{"garbage", "a.b.c"},
	}
	parser := newParser("trolly", func() time.Time { return now })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseAccess(context.Background(), parser, tc.token, lookup)
			require.ErrorIs(t, err, tenant.ErrUnauthenticated)
		})
	}

	// Within the leeway, an expired token still passes: the refusals above are not
	// refusals of everything.
	_, err = parseAccess(context.Background(), parser, eddsa(with(func(c *accessClaims) {
		c.ExpiresAt = jwt.NewNumericDate(now.Add(-10 * time.Second))
	})), lookup)
	require.NoError(t, err)
	_, err = parseAccess(context.Background(), parser, valid, lookup)
	require.NoError(t, err)
}

func TestParseAccessStoreError(t *testing.T) {
	key, _ := testKeys(t)
	down := errors.New("catalog down")
	lookup := func(context.Context, string) (ed25519.PublicKey, error) { return nil, down }
	parser := newParser("trolly", func() time.Time { return t0 })
	_, err := parseAccess(context.Background(), parser, sign(t, jwt.SigningMethodEdDSA, key.priv, testKID, validClaims(t0)), lookup)
	require.ErrorIs(t, err, down)
	require.NotErrorIs(t, err, tenant.ErrUnauthenticated)
}

func TestLooksLikeJWT(t *testing.T) {
	key, _ := testKeys(t)
	_, secret := tenant.NewKeySecret()
	tests := []struct {
		in   string
		want bool
	}{
		{sign(t, jwt.SigningMethodEdDSA, key.priv, testKID, validClaims(t0)), true},
		{segment(t, map[string]string{"alg": "none"}) + ".e30.", true},
		{secret, false},
		{"a.b.c", false},
		{"e30.e30", false},
		{segment(t, []string{"alg"}) + ".e30.c2ln", false},
		{"e30.e30.e30.e30", false},
		{"e30.e3+.c2ln", false},
		{"", false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, looksLikeJWT(tc.in), tc.in)
	}
}
