package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/trolly-logs/trolly/tenant"
)

// auditTimeout bounds the audit of a failed sign-in, which outlives the request so that
// hanging up does not hide an attempt.
const auditTimeout = 5 * time.Second

// Tokens are what a sign-in or a refresh gives.
type Tokens struct {
	AccessToken     string
	AccessExpiresAt time.Time
	// AccessTTL is the lifetime the access token was issued with (OAuth's expires_in).
	AccessTTL        time.Duration
	RefreshToken     string
	RefreshExpiresAt time.Time
	Principal        tenant.Principal
}

// Login signs a person in. A wrong password, a disabled user and an unknown email are all
// tenant.ErrUnauthenticated, and take as long; too many failures of the account from the
// address, or of the address, are a *LimitedError, whatever the password. address is the
// client's IP (a port is ignored, IPv6 counts per /64); an empty one is limited per
// account only.
func (s *Service) Login(ctx context.Context, email, password, address string) (Tokens, error) {
	account := accountKey(email)
	release, retry, ok := s.limits.take(account, addressKey(address))
	if !ok {
		s.log.Debug("sign-in limited", "address", address, "retry_after", retry)
		s.metrics.limited.Inc()
		return Tokens{}, &LimitedError{RetryAfter: retry}
	}
	u, reason, err := s.checkPassword(ctx, account, password)
	if err != nil {
		release() // the catalog failed, or no hash slot freed: not the person
		return Tokens{}, err
	}
	if reason != "" {
		s.auditFailure(ctx, u, account, address, reason)
		return Tokens{}, tenant.ErrUnauthenticated
	}
	release()
	now := s.now()
	sess, refresh := s.newSession(u.ID, newID(now), address, now)
	if err := s.cat.CreateSession(ctx, sess); err != nil {
		return Tokens{}, fmt.Errorf("create session: %w", err)
	}
	err = s.audit(ctx, tenant.AuditEntry{Actor: userActor(u, address), TenantID: u.TenantID,
		Action: "auth.login", Target: u.ID})
	if err != nil {
		return Tokens{}, err
	}
	return s.issue(ctx, u, sess, refresh)
}

// checkPassword returns the user of email and, when the sign-in must fail, why: "unknown",
// "password" or "disabled". Unknown emails cost one password check too, in a hash slot
// as well: a *BusyError when none frees in time.
func (s *Service) checkPassword(ctx context.Context, email, password string) (tenant.User, string, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return tenant.User{}, "", err
	}
	defer release()
	u, err := s.cat.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, tenant.ErrNotFound) || errors.Is(err, tenant.ErrInvalid):
		_, _ = tenant.CheckPassword(s.dummyPH, password)
		return tenant.User{}, "unknown", nil
	case err != nil:
		return tenant.User{}, "", fmt.Errorf("find user: %w", err)
	}
	ok, err := tenant.CheckPassword(u.PasswordHash, password)
	switch {
	case err != nil:
		s.log.Error("check password", "user", u.ID, "err", err)
		return u, "password", nil
	case !ok:
		return u, "password", nil
	case u.Disabled:
		return u, "disabled", nil
	}
	return u, "", nil
}

// newSession makes a session of family for a user and its refresh token.
func (s *Service) newSession(userID, family, address string, now time.Time) (tenant.Session, string) {
	token, hash := tenant.NewToken()
	return tenant.Session{
		ID:        newID(now),
		UserID:    userID,
		Family:    family,
		Hash:      hash,
		Address:   truncate(address, 256),
		ExpiresAt: now.Add(s.cfg.RefreshTTL),
		CreatedAt: now,
	}, token
}

// plausibleToken bounds what is hashed and looked up for a presented refresh token.
func plausibleToken(token string) bool { return token != "" && len(token) <= 512 }

// issue signs an access token for u in session sess.
func (s *Service) issue(ctx context.Context, u tenant.User, sess tenant.Session, refresh string) (Tokens, error) {
	key, err := s.keys.signingKey(ctx)
	if err != nil {
		return Tokens{}, err
	}
	p := tenant.Principal{TenantID: u.TenantID, UserID: u.ID, Role: u.Role}
	access, exp, err := signAccess(key, s.cfg.Issuer, p, sess.ID, s.now(), s.cfg.AccessTTL)
	if err != nil {
		return Tokens{}, err
	}
	return Tokens{AccessToken: access, AccessExpiresAt: exp, AccessTTL: s.cfg.AccessTTL, RefreshToken: refresh,
		RefreshExpiresAt: sess.ExpiresAt, Principal: p}, nil
}

// auditFailure records a failed sign-in; the limiter bounds how many. Its failure is only
// logged: the answer is the same.
func (s *Service) auditFailure(ctx context.Context, u tenant.User, email, address, reason string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), auditTimeout)
	defer cancel()
	err := s.audit(ctx, tenant.AuditEntry{
		Actor:    tenant.Actor{Kind: "user", ID: u.ID, Name: email, TenantID: u.TenantID, Address: address},
		TenantID: u.TenantID,
		Action:   "auth.login_failed",
		Target:   email,
		Details:  map[string]string{"reason": reason},
	})
	if err != nil {
		s.log.Warn("audit failed sign-in", "err", err)
	}
}

// audit records e, giving it an id and a time.
func (s *Service) audit(ctx context.Context, e tenant.AuditEntry) error {
	now := s.now()
	e.ID, e.At = newID(now), now
	if err := s.cat.Audit(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

func userActor(u tenant.User, address string) tenant.Actor {
	return tenant.Actor{Kind: "user", ID: u.ID, Name: u.Email, TenantID: u.TenantID, Address: address}
}

// newID returns a ULID of time now.
func newID(now time.Time) string { return ulid.MustNewDefault(now).String() }
