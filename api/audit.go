package api

import (
	"context"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

type auditService struct {
	trollyv1.UnimplementedAuditServiceServer
	*Server
}

// ListAuditEntries implements trollyv1.AuditServiceServer: operators read every tenant's
// entries (or all), a tenant's admins their own tenant's.
func (s *auditService) ListAuditEntries(ctx context.Context, req *trollyv1.ListAuditEntriesRequest) (*trollyv1.ListAuditEntriesResponse, error) {
	tenantID, err := actingTenant(principalFrom(ctx), req.GetTenantId(), "tenant")
	if err != nil {
		return nil, err
	}
	f := tenant.AuditFilter{TenantID: tenantID, Action: req.GetAction(), Since: timeOf(req.GetSince()), Until: timeOf(req.GetUntil())}
	es, next, err := s.cat.ListAudit(ctx, f, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "audit entry")
	}
	out := &trollyv1.ListAuditEntriesResponse{Entries: make([]*trollyv1.AuditEntry, len(es)), NextPageToken: next}
	for i, e := range es {
		out.Entries[i] = auditToProto(e)
	}
	return out, nil
}
