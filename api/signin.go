package api

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/trolly-logs/trolly/api/auth"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

type authService struct {
	trollyv1.UnimplementedAuthServiceServer
	*Server
}

// Login implements trollyv1.AuthServiceServer.
func (s *authService) Login(ctx context.Context, req *trollyv1.LoginRequest) (*trollyv1.LoginResponse, error) {
	if req.GetEmail() == "" || req.GetPassword() == "" {
		return nil, invalidField("email", "email and password are required")
	}
	t, err := s.auth.Login(ctx, req.GetEmail(), req.GetPassword(), callInfoFrom(ctx).address)
	if err != nil {
		return nil, s.signInError(ctx, err, "wrong email or password")
	}
	r := s.tokens(t)
	return &trollyv1.LoginResponse{
		AccessToken: r.AccessToken, TokenType: r.TokenType, ExpireTime: r.ExpireTime, ExpiresIn: r.ExpiresIn,
		RefreshToken: r.RefreshToken, RefreshExpireTime: r.RefreshExpireTime, Principal: r.Principal,
	}, nil
}

// Refresh implements trollyv1.AuthServiceServer.
func (s *authService) Refresh(ctx context.Context, req *trollyv1.RefreshRequest) (*trollyv1.RefreshResponse, error) {
	if req.GetRefreshToken() == "" {
		return nil, invalidField("refresh_token", "is required")
	}
	t, err := s.auth.Refresh(ctx, req.GetRefreshToken(), callInfoFrom(ctx).address)
	if err != nil {
		return nil, s.signInError(ctx, err, "invalid refresh token")
	}
	return s.tokens(t), nil
}

// Logout implements trollyv1.AuthServiceServer.
func (s *authService) Logout(ctx context.Context, req *trollyv1.LogoutRequest) (*trollyv1.LogoutResponse, error) {
	if err := s.auth.Logout(ctx, req.GetRefreshToken()); err != nil {
		return nil, statusOf(ctx, s.log, err, "session")
	}
	return &trollyv1.LogoutResponse{}, nil
}

// WhoAmI implements trollyv1.AuthServiceServer.
func (s *authService) WhoAmI(ctx context.Context, _ *trollyv1.WhoAmIRequest) (*trollyv1.WhoAmIResponse, error) {
	p := principalToProto(principalFrom(ctx))
	return &trollyv1.WhoAmIResponse{TenantId: p.TenantId, UserId: p.UserId, Role: p.Role, KeyId: p.KeyId, Scopes: p.Scopes}, nil
}

// tokens answers a sign-in; Login's answer has the same fields.
func (s *authService) tokens(t auth.Tokens) *trollyv1.RefreshResponse {
	return &trollyv1.RefreshResponse{
		AccessToken:       t.AccessToken,
		TokenType:         "Bearer",
		ExpireTime:        timestamp(t.AccessExpiresAt),
		ExpiresIn:         int64(t.AccessTTL / time.Second),
		RefreshToken:      t.RefreshToken,
		RefreshExpireTime: timestamp(t.RefreshExpiresAt),
		Principal:         principalToProto(t.Principal),
	}
}

// signInError says the same for every refused sign-in, so that it does not tell which
// emails exist.
func (s *authService) signInError(ctx context.Context, err error, msg string) error {
	st := status.Convert(statusOf(ctx, s.log, err, "session"))
	if st.Code() == codes.Unauthenticated {
		return status.Error(codes.Unauthenticated, msg)
	}
	return st.Err()
}
