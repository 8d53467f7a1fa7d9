package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"github.com/trolly-logs/trolly/tenant"
)

// reloadEvery is how often Run reloads the keys, which other processes may rotate.
const reloadEvery = time.Minute

// Service signs people in and authenticates credentials.
type Service struct {
	cfg     Config
	cat     tenant.Catalog
	dir     tenant.Directory
	log     *slog.Logger
	now     func() time.Time
	keys    *keyring
	limits  *limiter
	parser  *jwt.Parser
	metrics *metrics
	// hashes bounds the password hashes at once: each holds the argon2 memory.
	hashes  *semaphore.Weighted
	reload  time.Duration
	dummyPH string // checked for unknown emails, so that they take as long as known ones
}

// New returns a service over cat; dir resolves API keys (a *tenant.Cache in production).
// cfg gets its defaults; a nil logger discards, a nil reg registers nowhere, a nil now is
// time.Now.
func New(cfg Config, cat tenant.Catalog, dir tenant.Directory, logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *Service {
	cfg.ApplyDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	logger = logger.With("component", "auth")
	return &Service{
		cfg:     cfg,
		cat:     cat,
		dir:     dir,
		log:     logger,
		now:     now,
		keys:    newKeyring(cat, cfg, logger, now),
		limits:  newLimiter(cfg, now),
		parser:  newParser(cfg.Issuer, now),
		metrics: newMetrics(reg),
		hashes:  semaphore.NewWeighted(int64(cfg.PasswordHashConcurrency)),
		reload:  reloadEvery,
		dummyPH: tenant.HashPassword("not the password of anyone", cfg.Password),
	}
}

// Authenticate returns the principal of a JWT access token or an API key, given as the
// value after "Bearer ". Anything not shaped like a JWT is tried as an API key. Every
// refused credential is tenant.ErrUnauthenticated; other errors mean the catalog or the
// directory is unavailable.
func (s *Service) Authenticate(ctx context.Context, bearer string) (tenant.Principal, error) {
	if bearer == "" || len(bearer) > maxBearer {
		return tenant.Principal{}, tenant.ErrUnauthenticated
	}
	if !looksLikeJWT(bearer) {
		return s.dir.Authenticate(ctx, bearer)
	}
	p, err := parseAccess(ctx, s.parser, bearer, s.keys.publicKey)
	if err != nil {
		return tenant.Principal{}, err
	}
	if err := s.stillHolds(ctx, p); err != nil {
		return tenant.Principal{}, err
	}
	return p, nil
}

// hashSlot waits up to PasswordHashWait for one of the password hash slots; past it, a
// *BusyError. Call release when the hash is done.
func (s *Service) hashSlot(ctx context.Context) (release func(), err error) {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.PasswordHashWait)
	defer cancel()
	if err := s.hashes.Acquire(wctx, 1); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wait for a password hash slot: %w", ctx.Err())
		}
		s.metrics.busy.Inc()
		retry := max(time.Second, s.cfg.PasswordHashWait.Round(time.Second))
		return nil, &BusyError{RetryAfter: retry}
	}
	s.metrics.hashing.Inc()
	return func() {
		s.metrics.hashing.Dec()
		s.hashes.Release(1)
	}, nil
}

// HashPassword hashes a new password with p, in one of the slots sign-ins use, so that
// setting passwords cannot exhaust memory either.
func (s *Service) HashPassword(ctx context.Context, password string, p tenant.PasswordParams) (string, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return tenant.HashPassword(password, p), nil
}

// userDirectory finds users from memory; *tenant.Cache is one.
type userDirectory interface {
	User(ctx context.Context, id string) (tenant.User, error)
}

// stillHolds checks that the user of an access token still exists, is enabled and has the
// tenant and role the token claims: a token outlives a deletion, a disabling or a
// demotion by up to AccessTTL otherwise, and a tenant id may be made again. The directory
// answers from memory; a user it does not know (made since its last load) is read from
// the catalog.
func (s *Service) stillHolds(ctx context.Context, p tenant.Principal) error {
	var u tenant.User
	err := tenant.ErrNotFound
	if d, ok := s.dir.(userDirectory); ok {
		u, err = d.User(ctx, p.UserID)
	}
	if err != nil {
		u, err = s.cat.UserByID(ctx, p.UserID)
	}
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		s.metrics.stale.WithLabelValues("deleted").Inc()
		return tenant.ErrUnauthenticated
	case err != nil:
		return fmt.Errorf("find the user of an access token: %w", err)
	case u.Disabled:
		s.metrics.stale.WithLabelValues("disabled").Inc()
		return tenant.ErrUnauthenticated
	case u.TenantID != p.TenantID || u.Role != p.Role:
		s.metrics.stale.WithLabelValues("changed").Inc()
		return tenant.ErrUnauthenticated
	}
	return nil
}

// Run rotates the signing key when due and reloads the keys every minute, until ctx ends.
// Failures are logged and retried at the next tick: signing rotates by itself when needed.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.reload)
	defer t.Stop()
	for {
		if err := s.keys.refresh(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("refresh signing keys", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
