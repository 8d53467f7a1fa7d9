package api

import (
	"context"

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
	id, secret := tenant.NewKeySecret()
	k := tenant.APIKey{
		ID: id, TenantID: principalFrom(ctx).TenantID, Name: req.GetName(), Scopes: scopesOf(req.GetScopes()),
		Hash: tenant.HashKey(secret), ExpiresAt: expires,
	}
	k, err := s.cat.CreateKey(ctx, s.actor(ctx), k)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "key")
	}
	return &trollyv1.CreateKeyResponse{Key: keyToProto(k), Secret: secret}, nil
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
