package api

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// Search limits.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

type searchService struct {
	trollyv1.UnimplementedSearchServiceServer
	backend      search.Backend
	defaultRange time.Duration
	log          *slog.Logger
	now          func() time.Time
}

// Search implements trollyv1.SearchServiceServer within the caller's tenant.
func (s *searchService) Search(ctx context.Context, req *trollyv1.SearchRequest) (*trollyv1.SearchResponse, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "no credentials")
	}
	sreq, err := s.request(req)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	sreq.Tenant = p.TenantID
	res, err := s.backend.Search(ctx, sreq)
	if err != nil {
		if ctx.Err() != nil {
			return nil, status.FromContextError(ctx.Err()).Err()
		}
		s.log.Error("search", "tenant", p.TenantID, "q", req.GetQ(), "err", err)
		return nil, status.Error(codes.Internal, "the search failed")
	}
	return s.response(res)
}

// request validates a search request; its errors are the caller's.
func (s *searchService) request(req *trollyv1.SearchRequest) (search.Request, error) {
	from, to, err := timeRange(req.GetFrom(), req.GetTo(), s.now(), s.defaultRange)
	if err != nil {
		return search.Request{}, err
	}
	limit := int(req.GetLimit())
	switch {
	case limit == 0:
		limit = defaultLimit
	case limit < 0 || limit > maxLimit:
		return search.Request{}, fmt.Errorf("limit: must be between 1 and %d, got %d", maxLimit, limit)
	}
	q, err := query.Parse(req.GetQ())
	if err != nil {
		return search.Request{}, err
	}
	return search.Request{Query: q, From: from, To: to, Limit: limit}, nil
}

func (s *searchService) response(res search.Result) (*trollyv1.SearchResponse, error) {
	out := &trollyv1.SearchResponse{Total: res.Total, Hits: make([]*trollyv1.Hit, len(res.Hits))}
	for i, h := range res.Hits {
		src := &structpb.Struct{}
		if err := protojson.Unmarshal(h.Source, src); err != nil {
			s.log.Error("decode stored event", "id", h.ID, "index", h.Index, "err", err)
			return nil, status.Error(codes.Internal, "a stored event could not be read")
		}
		out.Hits[i] = &trollyv1.Hit{Id: h.ID, Index: h.Index, Timestamp: timestamppb.New(h.Timestamp), Source: src}
	}
	return out, nil
}
