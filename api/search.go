package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// Stable codes of the REST error body of searches.
const (
	codeQueryTimeout = "query_timeout"
	codeSearchBusy   = "search_busy"
)

type searchService struct {
	trollyv1.UnimplementedSearchServiceServer
	*Server
}

// Search implements trollyv1.SearchServiceServer within the caller's tenant, within its
// plan's query range and concurrency.
func (s *searchService) Search(ctx context.Context, req *trollyv1.SearchRequest) (*trollyv1.SearchResponse, error) {
	p := principalFrom(ctx)
	t, err := s.dir.Tenant(ctx, p.TenantID)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	sreq, err := s.request(req)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if limit := t.Limits.MaxQueryRange; limit > 0 && sreq.To.Sub(sreq.From) > limit {
		return nil, status.Errorf(codes.InvalidArgument, "the range from %s to %s is longer than your plan's max_query_range (%s)",
			sreq.From.Format(time.RFC3339), sreq.To.Format(time.RFC3339), limit)
	}
	if days := t.Retention.SearchDays; days > 0 {
		// Retention is a promise: nothing older is returned, even where the engine still
		// holds it (its storage keeps whole days, of a class at or above the tenant's).
		oldest := s.now().Add(-time.Duration(days) * 24 * time.Hour)
		sreq.From = maxTime(sreq.From, oldest)
		sreq.To = maxTime(sreq.To, sreq.From)
	}
	release, ok := s.searches.acquire(p.TenantID, t.Limits.MaxConcurrentQueries)
	if !ok {
		s.overPlan.WithLabelValues(p.TenantID).Inc()
		return nil, retryLater(fmt.Sprintf("your plan runs at most %d searches at once", t.Limits.MaxConcurrentQueries), time.Second)
	}
	defer release()
	sreq.Tenant = t.Key // the tenant's data, not a predecessor's of the same id
	res, err := s.run(ctx, p.TenantID, sreq, t.Limits.QueryTimeout)
	if err != nil {
		return nil, s.searchError(ctx, p.TenantID, req.GetQ(), t.Limits.QueryTimeout, err)
	}
	return s.response(res)
}

// errQueryTimeout is the cause of a search's context that ran out of its plan's time.
var errQueryTimeout = errors.New("query timeout")

// run waits for a slot of the process's searches and runs the search, both within the
// plan's timeout; the backend stops the query when its context ends.
func (s *searchService) run(ctx context.Context, tenantID string, req search.Request, timeout time.Duration) (search.Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errQueryTimeout)
	defer cancel()
	release, err := s.gate.Acquire(ctx, tenantID) // by id: the gate's metrics name tenants
	if err != nil {
		return search.Result{}, err
	}
	defer release()
	res, err := s.backend.Search(ctx, req)
	if err != nil && errors.Is(context.Cause(ctx), errQueryTimeout) {
		return search.Result{}, errQueryTimeout
	}
	return res, err
}

// searchError answers a search that did not finish. A timeout is DeadlineExceeded (HTTP
// 504), as Loki and Elasticsearch's clients expect of a query stopped by the server; a
// full process is Unavailable (503) with Retry-After, as the client is not at fault.
func (s *searchService) searchError(ctx context.Context, tenantID, q string, timeout time.Duration, err error) error {
	switch {
	case errors.Is(err, errQueryTimeout):
		s.timeouts.WithLabelValues(tenantID).Inc()
		return withInfo(codes.DeadlineExceeded, fmt.Sprintf("the search timed out after %s (your plan's query_timeout) and was stopped; "+
			"narrow it: a shorter time range, a field filter (host.name:web-01) instead of a leading or prefix wildcard, "+
			"or more specific words", timeout), codeQueryTimeout, "")
	case errors.Is(err, search.ErrBusy):
		return retryWith(codes.Unavailable, "every search slot of the server is taken, retry later", codeSearchBusy, time.Second)
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	}
	s.log.Error("search", "tenant", tenantID, "q", q, "err", err)
	return status.Error(codes.Internal, "the search failed")
}

// request validates a search request; its errors are the caller's.
func (s *searchService) request(req *trollyv1.SearchRequest) (search.Request, error) {
	from, to, err := timeRange(req.GetFrom(), req.GetTo(), s.now(), s.cfg.DefaultRange)
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

// inflight counts each tenant's searches in progress, so that one tenant cannot take every
// search slot. The bound is read at each search, so a plan change applies at once.
type inflight struct {
	mu sync.Mutex
	n  map[string]int
}

func newInflight() *inflight { return &inflight{n: make(map[string]int)} }

// acquire takes one of the tenant's max slots (max <= 0: unbounded).
func (f *inflight) acquire(tenantID string, max int) (release func(), ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if max > 0 && f.n[tenantID] >= max {
		return nil, false
	}
	f.n[tenantID]++
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n[tenantID]--; f.n[tenantID] <= 0 {
			delete(f.n, tenantID)
		}
	}, true
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
