package tenant

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNotLoaded is returned by a Cache that has not loaded its first snapshot.
var ErrNotLoaded = errors.New("the tenant catalog is not loaded yet")

// Cache is a Directory served from memory, loaded from a Catalog's Snapshot and loaded
// again whenever the catalog's Version moves, so a new key works and a revoked one stops
// working within one poll. Lookups never touch the database: the gateway authenticates
// every request.
type Cache struct {
	cat  Catalog
	log  *slog.Logger
	now  func() time.Time
	snap atomic.Pointer[cacheSnapshot]

	mu   sync.Mutex           // guards used
	used map[string]time.Time // key id -> last use, flushed by Run
	// onChange, when set, is called with each newly loaded snapshot.
	onChange func(Snapshot)
}

type cacheSnapshot struct {
	version int64
	tenants map[string]Tenant
	users   map[string]User              // by id
	streams map[string]map[string]Stream // tenant -> name -> stream
	keys    map[[sha256.Size]byte]APIKey
	certs   map[string]ClientCert // by fingerprint
	cas     *x509.CertPool
	raw     Snapshot
}

// NewCache returns a Cache over cat; call Load or Refresh before using it, and Run to
// keep it current.
func NewCache(cat Catalog, logger *slog.Logger, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{cat: cat, log: logger, now: now, used: map[string]time.Time{}}
}

// OnChange registers f to be called, from the loading goroutine, with every snapshot
// loaded from now on, before it is served; the gateway uses it to declare the queues of
// new streams. Call it before Run.
func (c *Cache) OnChange(f func(Snapshot)) { c.onChange = f }

// Refresh loads the catalog's snapshot unless the cache already holds its version.
func (c *Cache) Refresh(ctx context.Context) error {
	if cur := c.snap.Load(); cur != nil {
		v, err := c.cat.Version(ctx)
		if err != nil {
			return fmt.Errorf("read catalog version: %w", err)
		}
		if v == cur.version {
			return nil
		}
	}
	s, err := c.cat.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("load catalog snapshot: %w", err)
	}
	// Before serving s, so that what depends on its streams (their queues) exists first.
	if c.onChange != nil {
		c.onChange(s)
	}
	c.snap.Store(index(s))
	return nil
}

func index(s Snapshot) *cacheSnapshot {
	cs := &cacheSnapshot{
		version: s.Version, raw: s,
		tenants: make(map[string]Tenant, len(s.Tenants)),
		users:   make(map[string]User, len(s.Users)),
		streams: make(map[string]map[string]Stream, len(s.Tenants)),
		keys:    make(map[[sha256.Size]byte]APIKey, len(s.Keys)),
		certs:   make(map[string]ClientCert, len(s.Certs)),
		cas:     x509.NewCertPool(),
	}
	for _, c := range s.Certs {
		cs.certs[c.Fingerprint] = c
	}
	if ca, err := x509.ParseCertificate(s.CACert); err == nil {
		cs.cas.AddCert(ca)
	} // else no authority yet (or an unreadable one, which must sign for none)
	for _, t := range s.Tenants {
		cs.tenants[t.ID] = t
	}
	for _, u := range s.Users {
		cs.users[u.ID] = u
	}
	for _, st := range s.Streams {
		m := cs.streams[st.TenantID]
		if m == nil {
			m = map[string]Stream{}
			cs.streams[st.TenantID] = m
		}
		m[st.Name] = st
	}
	for _, k := range s.Keys {
		d, err := parseHash(k.Hash)
		if err != nil {
			continue // stores validate hashes; an unreadable one can match no secret
		}
		cs.keys[d] = k
	}
	return cs
}

// Snapshot returns the snapshot the cache serves.
func (c *Cache) Snapshot() (Snapshot, error) {
	cur := c.snap.Load()
	if cur == nil {
		return Snapshot{}, ErrNotLoaded
	}
	return cur.raw, nil
}

// Run polls the catalog's version every interval, loading a new snapshot when it moved,
// and records when keys were last used, until ctx ends.
func (c *Cache) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	lastFlush := c.now()
	for {
		select {
		case <-ctx.Done():
			c.flushUsage(context.WithoutCancel(ctx))
			return nil
		case <-t.C:
		}
		if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
			// The old snapshot keeps serving: a catalog outage must not stop ingestion.
			c.log.Warn("refresh tenant catalog", "err", err)
		}
		if c.now().Sub(lastFlush) >= 10*time.Second {
			c.flushUsage(ctx)
			lastFlush = c.now()
		}
	}
}

func (c *Cache) flushUsage(ctx context.Context) {
	c.mu.Lock()
	used := c.used
	c.used = map[string]time.Time{}
	c.mu.Unlock()
	if len(used) == 0 {
		return
	}
	if err := c.cat.TouchKeys(ctx, used); err != nil {
		c.log.Warn("record key use", "keys", len(used), "err", err)
	}
}

func (c *Cache) current() (*cacheSnapshot, error) {
	cur := c.snap.Load()
	if cur == nil {
		return nil, ErrNotLoaded
	}
	return cur, nil
}

// Authenticate implements Directory. The map is keyed by the SHA-256 of the secret, so its
// lookup time says nothing about the secret.
func (c *Cache) Authenticate(_ context.Context, secret string) (Principal, error) {
	cur, err := c.current()
	if err != nil {
		return Principal{}, err
	}
	if secret == "" {
		return Principal{}, ErrUnauthenticated
	}
	d := sha256.Sum256([]byte(secret))
	k, ok := cur.keys[d]
	now := c.now()
	if !ok || !k.Active(now) {
		return Principal{}, ErrUnauthenticated
	}
	if _, ok := cur.tenants[k.TenantID]; !ok {
		return Principal{}, ErrUnauthenticated
	}
	c.mu.Lock()
	c.used[k.ID] = now
	c.mu.Unlock()
	return Principal{TenantID: k.TenantID, KeyID: k.ID, Scopes: k.Scopes, KeyName: k.Name}, nil
}

// Tenant implements Directory.
func (c *Cache) Tenant(_ context.Context, id string) (Tenant, error) {
	cur, err := c.current()
	if err != nil {
		return Tenant{}, err
	}
	t, ok := cur.tenants[id]
	if !ok {
		return Tenant{}, ErrNotFound
	}
	return t, nil
}

// User returns a user of any tenant by id, without its password hash, or ErrNotFound:
// the API re-checks every access token's user with it.
func (c *Cache) User(_ context.Context, id string) (User, error) {
	cur, err := c.current()
	if err != nil {
		return User{}, err
	}
	u, ok := cur.users[id]
	if !ok {
		return User{}, ErrNotFound
	}
	return u, nil
}

// Stream implements Directory.
func (c *Cache) Stream(_ context.Context, tenantID, name string) (Stream, error) {
	cur, err := c.current()
	if err != nil {
		return Stream{}, err
	}
	st, ok := cur.streams[tenantID][name]
	if !ok {
		return Stream{}, ErrNotFound
	}
	return st, nil
}

// ClientCert implements Directory.
func (c *Cache) ClientCert(_ context.Context, fingerprint string) (ClientCert, error) {
	cur, err := c.current()
	if err != nil {
		return ClientCert{}, err
	}
	cert, ok := cur.certs[fingerprint]
	if !ok {
		return ClientCert{}, ErrNotFound
	}
	return cert, nil
}

// ClientCAs implements Directory.
func (c *Cache) ClientCAs(context.Context) (*x509.CertPool, error) {
	cur, err := c.current()
	if err != nil {
		return nil, err
	}
	return cur.cas, nil
}
