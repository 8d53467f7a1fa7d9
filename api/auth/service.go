package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/golang-jwt/jwt/v5"

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
	reload  time.Duration
	dummyPH string // checked for unknown emails, so that they take as long as known ones
}

// New returns a service over cat; dir resolves API keys (a *tenant.Cache in production).
// cfg gets its defaults; a nil logger discards, a nil now is time.Now.
func New(cfg Config, cat tenant.Catalog, dir tenant.Directory, logger *slog.Logger, now func() time.Time) *Service {
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
	return parseAccess(ctx, s.parser, bearer, s.keys.publicKey)
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
