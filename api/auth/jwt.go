package auth

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

const (
	// audience is the "aud" of every access token: they are good for the API and nothing else.
	audience = "trolly-api"
	// leeway tolerates the clock skew between the processes that sign and verify.
	leeway = 30 * time.Second
	// maxBearer bounds what is parsed at all; real tokens and keys are far shorter.
	maxBearer = 8 << 10
)

// accessClaims are the claims of an access token.
type accessClaims struct {
	jwt.RegisteredClaims
	// TenantID is empty for operators.
	TenantID  string      `json:"tid"`
	Role      tenant.Role `json:"role"`
	SessionID string      `json:"sid"`
}

// signingKey is the key that signs new tokens.
type signingKey struct {
	id        string
	priv      ed25519.PrivateKey
	createdAt time.Time
	// retiresAt is when the key stops signing.
	retiresAt time.Time
}

// keyLookup returns the public key named by a token's kid; tenant.ErrUnauthenticated
// when there is none, other errors when the keys cannot be loaded.
type keyLookup func(ctx context.Context, kid string) (ed25519.PublicKey, error)

// signAccess makes an access token for p, of session sid, valid for ttl from now.
func signAccess(k signingKey, issuer string, p tenant.Principal, sid string, now time.Time, ttl time.Duration) (string, time.Time, error) {
	exp := now.Add(ttl).Truncate(time.Second) // a NumericDate has whole seconds
	c := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   p.UserID,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        ulid.MustNewDefault(now).String(),
		},
		TenantID:  p.TenantID,
		Role:      p.Role,
		SessionID: sid,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = k.id
	s, err := t.SignedString(k.priv)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign access token: %w", err)
	}
	return s, exp, nil
}

// newParser returns the parser of access tokens: EdDSA only, our issuer and audience,
// an expiry required.
func newParser(issuer string, now func() time.Time) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(now),
	)
}

// parseAccess verifies an access token and returns its principal. Every refused token is
// tenant.ErrUnauthenticated; other errors come from loading the keys.
func parseAccess(ctx context.Context, parser *jwt.Parser, token string, lookup keyLookup) (tenant.Principal, error) {
	var lookupErr error
	var c accessClaims
	_, err := parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		pub, err := lookup(ctx, kid)
		if err != nil {
			lookupErr = err
			return nil, err
		}
		return pub, nil
	})
	if err != nil {
		if lookupErr != nil && !errors.Is(lookupErr, tenant.ErrUnauthenticated) {
			return tenant.Principal{}, lookupErr
		}
		return tenant.Principal{}, tenant.ErrUnauthenticated
	}
	return principalOf(c)
}

// principalOf checks the private claims, which the signature vouches for but which must
// still make sense: a known role, and a tenant exactly when the role has one.
func principalOf(c accessClaims) (tenant.Principal, error) {
	if c.Subject == "" {
		return tenant.Principal{}, tenant.ErrUnauthenticated
	}
	switch c.Role {
	case tenant.RoleOperator:
		if c.TenantID != "" {
			return tenant.Principal{}, tenant.ErrUnauthenticated
		}
	case tenant.RoleAdmin, tenant.RoleMember:
		if !tenant.ValidID(c.TenantID) {
			return tenant.Principal{}, tenant.ErrUnauthenticated
		}
	default:
		return tenant.Principal{}, tenant.ErrUnauthenticated
	}
	return tenant.Principal{TenantID: c.TenantID, UserID: c.Subject, Role: c.Role}, nil
}

// looksLikeJWT reports whether s has the shape of a JWT: three base64url segments, the
// first a JSON object. API keys never do.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if strings.TrimLeft(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	header, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || len(header) == 0 || header[0] != '{' {
		return false
	}
	return json.Valid(header)
}
