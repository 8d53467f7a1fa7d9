package api

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

type keyService struct {
	trollyv1.UnimplementedKeyServiceServer
	*Server
}

// ListKeys implements trollyv1.KeyServiceServer within the caller's tenant.
func (s *keyService) ListKeys(ctx context.Context, req *trollyv1.ListKeysRequest) (*trollyv1.ListKeysResponse, error) {
	ks, next, err := s.cat.ListKeys(ctx, principalFrom(ctx).TenantID, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "key")
	}
	out := &trollyv1.ListKeysResponse{Keys: make([]*trollyv1.ApiKey, len(ks)), NextPageToken: next}
	for i, k := range ks {
		out.Keys[i] = keyToProto(k)
	}
	return out, nil
}

// CreateKey implements trollyv1.KeyServiceServer: the secret is answered here only; the
// catalog keeps its hash.
func (s *keyService) CreateKey(ctx context.Context, req *trollyv1.CreateKeyRequest) (*trollyv1.CreateKeyResponse, error) {
	expires := timeOf(req.GetExpireTime())
	if !expires.IsZero() && !expires.After(s.now()) {
		return nil, invalidField("expire_time", "must be in the future")
	}
	p := principalFrom(ctx)
	scopes := scopesOf(req.GetScopes())
	if !grantable(p, scopes) {
		return nil, status.Error(codes.PermissionDenied, "a key cannot be given scopes its maker does not hold")
	}
	if err := s.withinCreator(ctx, p, expires); err != nil {
		return nil, err
	}
	id, secret := tenant.NewKeySecret()
	k := tenant.APIKey{
		ID: id, TenantID: p.TenantID, Name: req.GetName(), Scopes: scopes,
		Hash: tenant.HashKey(secret), ExpiresAt: expires,
	}
	k, err := s.cat.CreateKey(ctx, s.actor(ctx), k)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "key")
	}
	return &trollyv1.CreateKeyResponse{Key: keyToProto(k), Secret: secret}, nil
}

// grantable reports whether p may give a new key scopes: a tenant admin or an admin key
// holds every scope, another key only its own, and no one else makes keys.
func grantable(p tenant.Principal, scopes []tenant.Scope) bool {
	if isOperator(p) || p.TenantID == "" {
		return false
	}
	if level(p) == accessAdmin {
		return true
	}
	if p.KeyID == "" {
		return false
	}
	for _, sc := range scopes {
		if !p.HasScope(sc) {
			return false
		}
	}
	return true
}

// withinCreator refuses a key made by a key that expires, to outlive it: a short-lived
// credential must not leave a permanent one behind.
func (s *keyService) withinCreator(ctx context.Context, p tenant.Principal, expires time.Time) error {
	if p.KeyID == "" {
		return nil
	}
	maker, err := s.cat.GetKey(ctx, p.TenantID, p.KeyID)
	if err != nil {
		return statusOf(ctx, s.log, fmt.Errorf("read the key making a key: %w", err), "key")
	}
	if maker.ExpiresAt.IsZero() || (!expires.IsZero() && !expires.After(maker.ExpiresAt)) {
		return nil
	}
	return invalidField("expire_time", fmt.Sprintf("must be set and not after %s, when the key making it expires",
		maker.ExpiresAt.UTC().Format(time.RFC3339)))
}

// GetKey implements trollyv1.KeyServiceServer within the caller's tenant.
func (s *keyService) GetKey(ctx context.Context, req *trollyv1.GetKeyRequest) (*trollyv1.GetKeyResponse, error) {
	k, err := s.cat.GetKey(ctx, principalFrom(ctx).TenantID, req.GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "key")
	}
	return &trollyv1.GetKeyResponse{Key: keyToProto(k)}, nil
}

// RevokeKey implements trollyv1.KeyServiceServer within the caller's tenant.
func (s *keyService) RevokeKey(ctx context.Context, req *trollyv1.RevokeKeyRequest) (*trollyv1.RevokeKeyResponse, error) {
	tenantID := principalFrom(ctx).TenantID
	if err := s.cat.RevokeKey(ctx, s.actor(ctx), tenantID, req.GetId()); err != nil {
		return nil, statusOf(ctx, s.log, err, "key")
	}
	k, err := s.cat.GetKey(ctx, tenantID, req.GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "key")
	}
	return &trollyv1.RevokeKeyResponse{Key: keyToProto(k)}, nil
}
