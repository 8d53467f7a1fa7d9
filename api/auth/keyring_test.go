package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oklog/ulid/v2"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// kidOf returns the key id a token names.
func kidOf(t *testing.T, token string) string {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(token, &accessClaims{})
	require.NoError(t, err)
	kid, _ := tok.Header["kid"].(string)
	return kid
}

func (e *env) signingKeys(t *testing.T) []tenant.SigningKey {
	t.Helper()
	keys, err := e.cat.SigningKeys(context.Background(), e.clock.Now())
	require.NoError(t, err)
	return keys
}

// forge signs member claims valid for a year from now with priv under kid.
func (e *env) forge(t *testing.T, u tenant.User, priv ed25519.PrivateKey, kid string) string {
	t.Helper()
	c := validClaims(e.clock.Now())
	c.Subject, c.TenantID, c.Role = u.ID, u.TenantID, u.Role // a user that exists
	c.ExpiresAt = jwt.NewNumericDate(e.clock.Now().Add(365 * 24 * time.Hour))
	return sign(t, jwt.SigningMethodEdDSA, priv, kid, c)
}

func TestSigningKeyRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	login := func() string {
		t.Helper()
		tok, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
		require.NoError(t, err)
		return tok.AccessToken
	}

	first := kidOf(t, login())
	keys := e.signingKeys(t)
	require.Len(t, keys, 1, "the first sign-in makes a key")
	a := keys[0]
	require.Equal(t, first, a.ID)
	require.Equal(t, t0, a.CreatedAt)
	require.Equal(t, t0.Add(168*time.Hour), a.RetiresAt)
	require.Equal(t, t0.Add(168*time.Hour+16*time.Minute), a.ExpiresAt)

	e.clock.Advance(168*time.Hour - 10*time.Minute)
	lastOfA := login()
	require.Equal(t, a.ID, kidOf(t, lastOfA), "the key signs until it retires")
	forgedA := e.forge(t, ann, ed25519.PrivateKey(a.PrivateKey), a.ID)

	e.clock.Advance(10 * time.Minute)
	b := kidOf(t, login())
	require.NotEqual(t, a.ID, b, "a retired key no longer signs")
	require.Len(t, e.signingKeys(t), 2)
	require.Equal(t, b, e.signingKeys(t)[0].ID, "newest first")

	_, err := e.svc.Authenticate(ctx, lastOfA)
	require.NoError(t, err, "a retired key verifies until it expires")
	_, err = e.svc.Authenticate(ctx, forgedA)
	require.NoError(t, err)

	e.clock.Advance(16 * time.Minute)
	require.Len(t, e.signingKeys(t), 1)
	_, err = e.svc.Authenticate(ctx, forgedA)
	require.ErrorIs(t, err, tenant.ErrUnauthenticated, "an expired key verifies nothing, whatever its tokens say")
	require.Equal(t, b, kidOf(t, login()))
}

func TestUnknownSigningKeys(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	tok, err := e.svc.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	for name, token := range map[string]string{
		"a key not in the catalog":       e.forge(t, ann, stranger, ulid.Make().String()),
		"under the kid of a catalog key": e.forge(t, ann, stranger, kidOf(t, tok.AccessToken)),
		"under a kid that is not a ULID": e.forge(t, ann, stranger, "../../etc/passwd"),
		"a catalog key after the clock":  tok.AccessToken,
	} {
		if name == "a catalog key after the clock" {
			continue
		}
		_, err := e.svc.Authenticate(ctx, token)
		require.ErrorIs(t, err, tenant.ErrUnauthenticated, name)
	}
}

func TestKeysOfAnotherProcess(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	one, two := e.svc, e.service()

	tokOne, err := one.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	tokTwo, err := two.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	require.Equal(t, kidOf(t, tokOne.AccessToken), kidOf(t, tokTwo.AccessToken), "processes share the catalog's key")
	require.Len(t, e.signingKeys(t), 1)

	// two rotates; one learns the new key when a token names it, at most every 10s.
	e.clock.Advance(168 * time.Hour)
	_, stranger, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = one.Authenticate(ctx, e.forge(t, ann, stranger, ulid.Make().String()))
	require.ErrorIs(t, err, tenant.ErrUnauthenticated)
	tokTwo, err = two.Login(ctx, "ann@example.com", password, "192.0.2.1")
	require.NoError(t, err)
	_, err = one.Authenticate(ctx, tokTwo.AccessToken)
	require.ErrorIs(t, err, tenant.ErrUnauthenticated, "no reload within 10s of the last")
	e.clock.Advance(10 * time.Second)
	_, err = one.Authenticate(ctx, tokTwo.AccessToken)
	require.NoError(t, err)
}

func TestConcurrentRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ann := e.addUser(t, "acme", "ann@example.com", tenant.RoleMember)
	services := []*Service{e.svc, e.service(), e.service()}
	keys := make([]signingKey, len(services))
	errs := make([]error, len(services))
	var wg sync.WaitGroup
	for i, s := range services {
		wg.Go(func() { keys[i], errs[i] = s.keys.signingKey(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NotEmpty(t, e.signingKeys(t))
	// Whichever key each signs with, every other process verifies it.
	for i, k := range keys {
		tok, _, err := signAccess(k, "trolly", tenant.Principal{TenantID: ann.TenantID, UserID: ann.ID, Role: ann.Role}, "s", e.clock.Now(), time.Minute)
		require.NoError(t, err)
		for j, s := range services {
			_, err := s.Authenticate(ctx, tok)
			require.NoError(t, err, "key of %d verified by %d", i, j)
		}
	}
}

func TestRun(t *testing.T) {
	e := newEnv(t)
	e.svc.reload = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.svc.Run(ctx) }()

	keys := func(n int) func() bool {
		return func() bool {
			keys, err := e.cat.SigningKeys(ctx, e.clock.Now())
			return err == nil && len(keys) == n
		}
	}
	require.Eventually(t, keys(1), 10*time.Second, 5*time.Millisecond, "Run makes the first key")
	e.clock.Advance(168 * time.Hour)
	require.Eventually(t, keys(2), 10*time.Second, 5*time.Millisecond, "and the next when due")
	cancel()
	require.NoError(t, <-done)
}
