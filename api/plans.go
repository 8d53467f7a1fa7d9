package api

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

type planService struct {
	trollyv1.UnimplementedPlanServiceServer
	*Server
}

// planPaths are the paths of a plan's update mask; the others are output only.
var planPaths = []string{
	"id", "name", "managed_by", "create_time", "update_time",
	"limits.ingest_bytes_per_second", "limits.ingest_burst_bytes", "limits.max_line_bytes", "limits.max_streams",
	"limits.max_concurrent_queries", "limits.max_query_range", "limits.queue_max_bytes", "limits.query_timeout",
	"limits.max_backlog_bytes", "retention.search_days", "retention.archive_days",
}

// ListPlans implements trollyv1.PlanServiceServer.
func (s *planService) ListPlans(ctx context.Context, req *trollyv1.ListPlansRequest) (*trollyv1.ListPlansResponse, error) {
	plans, next, err := s.cat.ListPlans(ctx, page(req.GetPageSize(), req.GetPageToken()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "plan")
	}
	out := &trollyv1.ListPlansResponse{Plans: make([]*trollyv1.Plan, len(plans)), NextPageToken: next}
	for i, p := range plans {
		out.Plans[i] = planToProto(p)
	}
	return out, nil
}

// CreatePlan implements trollyv1.PlanServiceServer.
func (s *planService) CreatePlan(ctx context.Context, req *trollyv1.CreatePlanRequest) (*trollyv1.CreatePlanResponse, error) {
	p, err := s.cat.CreatePlan(ctx, s.actor(ctx), planOf(req.GetPlan()))
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "plan")
	}
	return &trollyv1.CreatePlanResponse{Plan: planToProto(p)}, nil
}

// GetPlan implements trollyv1.PlanServiceServer.
func (s *planService) GetPlan(ctx context.Context, req *trollyv1.GetPlanRequest) (*trollyv1.GetPlanResponse, error) {
	p, err := s.cat.GetPlan(ctx, req.GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "plan")
	}
	return &trollyv1.GetPlanResponse{Plan: planToProto(p)}, nil
}

// UpdatePlan implements trollyv1.PlanServiceServer.
func (s *planService) UpdatePlan(ctx context.Context, req *trollyv1.UpdatePlanRequest) (*trollyv1.UpdatePlanResponse, error) {
	m, err := readMask(ctx, req.GetUpdateMask(), planPaths)
	if err != nil {
		return nil, err
	}
	p, err := s.cat.GetPlan(ctx, req.GetPlan().GetId())
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "plan")
	}
	in := planOf(req.GetPlan())
	set(m, "name", &p.Name, in.Name)
	l, nl := &p.Limits, in.Limits
	set(m, "limits.ingest_bytes_per_second", &l.IngestBytesPerSecond, nl.IngestBytesPerSecond)
	set(m, "limits.ingest_burst_bytes", &l.IngestBurstBytes, nl.IngestBurstBytes)
	set(m, "limits.max_line_bytes", &l.MaxLineBytes, nl.MaxLineBytes)
	set(m, "limits.max_streams", &l.MaxStreams, nl.MaxStreams)
	set(m, "limits.max_concurrent_queries", &l.MaxConcurrentQueries, nl.MaxConcurrentQueries)
	set(m, "limits.max_query_range", &l.MaxQueryRange, nl.MaxQueryRange)
	set(m, "limits.queue_max_bytes", &l.QueueMaxBytes, nl.QueueMaxBytes)
	set(m, "limits.query_timeout", &l.QueryTimeout, nl.QueryTimeout)
	set(m, "limits.max_backlog_bytes", &l.MaxBacklogBytes, nl.MaxBacklogBytes)
	set(m, "retention.search_days", &p.Retention.SearchDays, in.Retention.SearchDays)
	set(m, "retention.archive_days", &p.Retention.ArchiveDays, in.Retention.ArchiveDays)
	p, err = s.cat.UpdatePlan(ctx, s.actor(ctx), p)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "plan")
	}
	return &trollyv1.UpdatePlanResponse{Plan: planToProto(p)}, nil
}

// DeletePlan implements trollyv1.PlanServiceServer.
func (s *planService) DeletePlan(ctx context.Context, req *trollyv1.DeletePlanRequest) (*trollyv1.DeletePlanResponse, error) {
	err := s.cat.DeletePlan(ctx, s.actor(ctx), req.GetId())
	if errors.Is(err, tenant.ErrConflict) {
		return nil, withInfo(codes.FailedPrecondition, "plan in use: move its tenants to another plan first", codePlanInUse, "")
	}
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "plan")
	}
	return &trollyv1.DeletePlanResponse{}, nil
}
