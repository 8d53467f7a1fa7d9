package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/trolly-logs/trolly/tenant"
)

// Refresh exchanges a refresh token for new tokens, rotating it. A token used after its
// rotation was copied: the whole sign-in (its family) is revoked, and the holder of the
// rotated token must sign in again too.
func (s *Service) Refresh(ctx context.Context, refreshToken, address string) (Tokens, error) {
	if !plausibleToken(refreshToken) {
		return Tokens{}, tenant.ErrUnauthenticated
	}
	sess, err := s.cat.SessionByHash(ctx, tenant.HashToken(refreshToken))
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		return Tokens{}, tenant.ErrUnauthenticated
	case err != nil:
		return Tokens{}, fmt.Errorf("find session: %w", err)
	case !sess.RevokedAt.IsZero():
		return Tokens{}, s.reused(ctx, sess, address)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) {
		return Tokens{}, tenant.ErrUnauthenticated
	}
	next, token := s.newSession(sess.UserID, sess.Family, address, now)
	if err := s.cat.RotateSession(ctx, sess.ID, next); err != nil {
		if errors.Is(err, tenant.ErrConflict) {
			// Rotated meanwhile by someone else holding the same token.
			return Tokens{}, s.reused(ctx, sess, address)
		}
		return Tokens{}, fmt.Errorf("rotate session: %w", err)
	}
	u, err := s.cat.UserByID(ctx, sess.UserID)
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		return Tokens{}, tenant.ErrUnauthenticated
	case err != nil:
		return Tokens{}, fmt.Errorf("find user: %w", err)
	case u.Disabled:
		// Disabling revokes sessions; this one may have been made just after.
		if err := s.cat.RevokeSessions(ctx, sess.Family); err != nil {
			return Tokens{}, fmt.Errorf("revoke sessions: %w", err)
		}
		return Tokens{}, tenant.ErrUnauthenticated
	}
	return s.issue(ctx, u, next, token)
}

// reused revokes the family of a session whose token was used after its rotation, and
// answers tenant.ErrUnauthenticated when that worked.
func (s *Service) reused(ctx context.Context, sess tenant.Session, address string) error {
	if err := s.cat.RevokeSessions(ctx, sess.Family); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	var tenantID string // the audit entry's; a deleted user's is unknown
	if u, err := s.cat.UserByID(ctx, sess.UserID); err == nil {
		tenantID = u.TenantID
	}
	s.log.Warn("refresh token reused, sign-in revoked", "user", sess.UserID, "family", sess.Family, "address", address)
	err := s.audit(ctx, tenant.AuditEntry{
		Actor:    tenant.Actor{Kind: "user", ID: sess.UserID, TenantID: tenantID, Address: address},
		TenantID: tenantID,
		Action:   "auth.refresh_reuse",
		Target:   sess.Family,
		Details:  map[string]string{"session": sess.ID},
	})
	if err != nil {
		s.log.Warn("audit refresh reuse", "err", err)
	}
	return tenant.ErrUnauthenticated
}

// Logout ends the sign-in of a refresh token: every session of its family. An unknown
// token is no error, so that logging out twice is harmless.
func (s *Service) Logout(ctx context.Context, refreshToken string) error {
	if !plausibleToken(refreshToken) {
		return nil
	}
	sess, err := s.cat.SessionByHash(ctx, tenant.HashToken(refreshToken))
	switch {
	case errors.Is(err, tenant.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("find session: %w", err)
	}
	if err := s.cat.RevokeSessions(ctx, sess.Family); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}
