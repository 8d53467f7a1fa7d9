package api

import (
	"context"
	"errors"
	"fmt"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

type tenantService struct {
	trollyv1.UnimplementedTenantServiceServer
	*Server
}

// tenantPaths are the paths of a tenant's update mask; only name and plan_id change.
var tenantPaths = []string{"id", "name", "plan_id", "managed_by", "create_time", "update_time", "limits", "retention"}

// ListTenants implements trollyv1.TenantServiceServer.
func (s *tenantService) ListTenants(ctx context.Context, req *trollyv1.ListTenantsRequest) (*trollyv1.ListTenantsResponse, error) {
	ts, next, err := s.cat.ListTenants(ctx, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	out := &trollyv1.ListTenantsResponse{Tenants: make([]*trollyv1.Tenant, len(ts)), NextPageToken: next}
	for i, t := range ts {
		out.Tenants[i] = tenantToProto(t)
	}
	return out, nil
}

// CreateTenant implements trollyv1.TenantServiceServer.
func (s *tenantService) CreateTenant(ctx context.Context, req *trollyv1.CreateTenantRequest) (*trollyv1.CreateTenantResponse, error) {
	in := tenantOf(req.GetTenant())
	if err := in.Validate(); err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	if err := s.planExists(ctx, in.PlanID); err != nil {
		return nil, err
	}
	t, err := s.cat.CreateTenant(ctx, s.actor(ctx), in)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	return &trollyv1.CreateTenantResponse{Tenant: tenantToProto(t)}, nil
}

// planExists answers a missing plan as the request's fault, not as a missing tenant.
func (s *tenantService) planExists(ctx context.Context, id string) error {
	_, err := s.cat.GetPlan(ctx, id)
	if errors.Is(err, tenant.ErrNotFound) {
		return invalidField("plan_id", fmt.Sprintf("plan %q does not exist", id))
	}
	return statusOf(ctx, s.log, err, "plan")
}

// GetTenant implements trollyv1.TenantServiceServer: operators read any tenant, a tenant's
// caller its own.
func (s *tenantService) GetTenant(ctx context.Context, req *trollyv1.GetTenantRequest) (*trollyv1.GetTenantResponse, error) {
	id, err := actingTenant(principalFrom(ctx), req.GetId(), "tenant")
	if err != nil {
		return nil, err
	}
	t, err := s.cat.GetTenant(ctx, id)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	return &trollyv1.GetTenantResponse{Tenant: tenantToProto(t)}, nil
}

// UpdateTenant implements trollyv1.TenantServiceServer.
func (s *tenantService) UpdateTenant(ctx context.Context, req *trollyv1.UpdateTenantRequest) (*trollyv1.UpdateTenantResponse, error) {
	m, err := readMask(ctx, req.GetUpdateMask(), tenantPaths)
	if err != nil {
		return nil, err
	}
	t, err := s.cat.GetTenant(ctx, req.GetTenant().GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	in := tenantOf(req.GetTenant())
	set(m, "name", &t.Name, in.Name)
	if m.has("plan_id") && in.PlanID != t.PlanID {
		if err := s.planExists(ctx, in.PlanID); err != nil {
			return nil, err
		}
		t.PlanID = in.PlanID
	}
	t, err = s.cat.UpdateTenant(ctx, s.actor(ctx), t)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	return &trollyv1.UpdateTenantResponse{Tenant: tenantToProto(t)}, nil
}

// DeleteTenant implements trollyv1.TenantServiceServer.
func (s *tenantService) DeleteTenant(ctx context.Context, req *trollyv1.DeleteTenantRequest) (*trollyv1.DeleteTenantResponse, error) {
	if err := s.cat.DeleteTenant(ctx, s.actor(ctx), req.GetId()); err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	return &trollyv1.DeleteTenantResponse{}, nil
}
