package auth

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

// missReloadEvery bounds the reloads that tokens naming an unknown key cause, so that
// forged tokens cannot hammer the catalog.
const missReloadEvery = 10 * time.Second

// keyring holds the signing keys of the catalog: the newest signs, every unexpired one
// verifies. Several processes share the catalog; any of them may rotate.
type keyring struct {
	cat       tenant.Catalog
	now       func() time.Time
	log       *slog.Logger
	rotation  time.Duration
	accessTTL time.Duration

	mu     sync.RWMutex
	keys   map[string]verifyKey
	signer *signingKey // nil until a key is loaded

	rotateMu sync.Mutex // one rotation at a time in this process
	missMu   sync.Mutex
	lastMiss time.Time
}

type verifyKey struct {
	pub       ed25519.PublicKey
	expiresAt time.Time
}

func newKeyring(cat tenant.Catalog, cfg Config, log *slog.Logger, now func() time.Time) *keyring {
	return &keyring{cat: cat, now: now, log: log, rotation: cfg.SigningKeyRotation, accessTTL: cfg.AccessTTL,
		keys: map[string]verifyKey{}}
}

// reload replaces the keys by the catalog's.
func (k *keyring) reload(ctx context.Context) error {
	stored, err := k.cat.SigningKeys(ctx, k.now())
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	keys := make(map[string]verifyKey, len(stored))
	var signer *signingKey
	for _, sk := range stored {
		if len(sk.PrivateKey) != ed25519.PrivateKeySize {
			k.log.Warn("skip malformed signing key", "kid", sk.ID, "bytes", len(sk.PrivateKey))
			continue
		}
		// Derive from the seed rather than trust the stored public half.
		priv := ed25519.NewKeyFromSeed(sk.PrivateKey[:ed25519.SeedSize])
		keys[sk.ID] = verifyKey{pub: priv.Public().(ed25519.PublicKey), expiresAt: sk.ExpiresAt}
		if signer == nil || sk.CreatedAt.After(signer.createdAt) {
			retires := sk.RetiresAt
			if r := sk.CreatedAt.Add(k.rotation); retires.IsZero() || r.Before(retires) {
				retires = r
			}
			signer = &signingKey{id: sk.ID, priv: priv, createdAt: sk.CreatedAt, retiresAt: retires}
		}
	}
	k.mu.Lock()
	k.keys, k.signer = keys, signer
	k.mu.Unlock()
	return nil
}

// current returns the signing key when there is one that may still sign.
func (k *keyring) current() (signingKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.signer == nil || !k.now().Before(k.signer.retiresAt) {
		return signingKey{}, false
	}
	return *k.signer, true
}

// signingKey returns the key to sign with, rotating first when it is due.
func (k *keyring) signingKey(ctx context.Context) (signingKey, error) {
	if s, ok := k.current(); ok {
		return s, nil
	}
	if err := k.rotate(ctx); err != nil {
		return signingKey{}, err
	}
	if s, ok := k.current(); ok {
		return s, nil
	}
	return signingKey{}, errors.New("find signing key: none may sign after rotation")
}

// refresh reloads the keys and rotates when due.
func (k *keyring) refresh(ctx context.Context) error {
	if err := k.reload(ctx); err != nil {
		return err
	}
	if _, ok := k.current(); ok {
		return nil
	}
	return k.rotate(ctx)
}

// rotate adds a new signing key unless one that may sign is already in the catalog:
// another goroutine or process may have just added it.
func (k *keyring) rotate(ctx context.Context) error {
	k.rotateMu.Lock()
	defer k.rotateMu.Unlock()
	if err := k.reload(ctx); err != nil {
		return err
	}
	if _, ok := k.current(); ok {
		return nil
	}
	now := k.now()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	retires := now.Add(k.rotation)
	sk := tenant.SigningKey{
		ID:         ulid.MustNewDefault(now).String(),
		PrivateKey: priv,
		CreatedAt:  now,
		RetiresAt:  retires,
		// Tokens signed until RetiresAt live AccessTTL more; a minute covers the rounding.
		ExpiresAt: retires.Add(k.accessTTL + time.Minute),
	}
	switch err := k.cat.AddSigningKey(ctx, sk); {
	case errors.Is(err, tenant.ErrConflict):
		// Another process made a key of the same id: whichever is stored serves.
	case err != nil:
		return fmt.Errorf("add signing key: %w", err)
	default:
		k.log.Info("signing key added", "kid", sk.ID, "retires_at", sk.RetiresAt)
	}
	return k.reload(ctx)
}

// publicKey returns the key of kid for verifying. An unknown kid may be a key another
// process just made: reload, at most once per missReloadEvery.
func (k *keyring) publicKey(ctx context.Context, kid string) (ed25519.PublicKey, error) {
	if pub, ok := k.find(kid); ok {
		return pub, nil
	}
	if _, err := ulid.ParseStrict(kid); err != nil {
		return nil, tenant.ErrUnauthenticated // not a kid we make: no reload
	}
	k.missMu.Lock()
	defer k.missMu.Unlock()
	if pub, ok := k.find(kid); ok {
		return pub, nil // another goroutine reloaded meanwhile
	}
	now := k.now()
	if !k.lastMiss.IsZero() && now.Sub(k.lastMiss) < missReloadEvery {
		return nil, tenant.ErrUnauthenticated
	}
	k.lastMiss = now
	if err := k.reload(ctx); err != nil {
		return nil, err
	}
	if pub, ok := k.find(kid); ok {
		return pub, nil
	}
	return nil, tenant.ErrUnauthenticated
}

func (k *keyring) find(kid string) (ed25519.PublicKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	v, ok := k.keys[kid]
	if !ok || !k.now().Before(v.expiresAt) {
		return nil, false
	}
	return v.pub, true
}
