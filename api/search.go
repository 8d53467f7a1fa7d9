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
	prepare := func(c *call) error {
		if err := hitsRequest(&c.req, req.GetLimit(), req.GetOrder(), req.GetCursor(), req.GetFields()); err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		return nil
	}
	res, err := answer(ctx, s, req.GetQ(), req.GetFrom(), req.GetTo(), prepare, s.backend.Search)
	if err != nil {
		return nil, err
	}
	return s.response(res)
}

// call is one search call admitted within the caller's plan: its request holds the tenant,
// query and range, clamped to the plan.
type call struct {
	s        *searchService
	tenantID string
	q        string
	timeout  time.Duration
	req      search.Request
	release  func()
}

// begin admits a search call of the caller's tenant over q, from and to: the range within
// the plan's max_query_range and retention, and a slot of its max_concurrent_queries,
// which the caller releases.
func (s *searchService) begin(ctx context.Context, q, from, to string) (*call, error) {
	p := principalFrom(ctx)
	t, err := s.dir.Tenant(ctx, p.TenantID)
	if err != nil {
		return nil, statusOf(ctx, s.log, err, "tenant")
	}
	sreq, err := s.request(q, from, to)
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
	sreq.Tenant = t.Key // the tenant's data, not a predecessor's of the same id
	return &call{s: s, tenantID: p.TenantID, q: q, timeout: t.Limits.QueryTimeout, req: sreq, release: release}, nil
}

// errQueryTimeout is the cause of a search's context that ran out of its plan's time.
var errQueryTimeout = errors.New("query timeout")

// run waits for a slot of the process's searches and runs f, both within the plan's
// timeout; the backend stops the query when its context ends. Its error is the status
// the caller answers.
func (c *call) run(ctx context.Context, f func(ctx context.Context) error) error {
	qctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errQueryTimeout)
	defer cancel()
	release, err := c.s.gate.Acquire(qctx, c.tenantID) // by id: the gate's metrics name tenants
	if err == nil {
		err = f(qctx)
		release()
	}
	if errors.Is(context.Cause(qctx), errQueryTimeout) {
		err = errQueryTimeout // even without an error, the answer may be partial
	}
	if err != nil {
		return c.s.searchError(ctx, c.tenantID, c.q, c.timeout, err)
	}
	return nil
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
	case errors.Is(err, search.ErrBadCursor):
		return invalidField("cursor", "not a cursor of this search: pass next_cursor unchanged, with the same order")
	case errors.Is(err, search.ErrUnsupported):
		return status.Error(codes.Unimplemented, "this server's search backend does not serve this call")
	case ctx.Err() != nil:
		return status.FromContextError(ctx.Err()).Err()
	}
	s.log.Error("search", "tenant", tenantID, "q", q, "err", err)
	return status.Error(codes.Internal, "the search failed")
}

// request validates the query and range of a search call; its errors are the caller's.
func (s *searchService) request(q, from, to string) (search.Request, error) {
	start, end, err := timeRange(from, to, s.now(), s.cfg.DefaultRange)
	if err != nil {
		return search.Request{}, err
	}
	n, err := query.Parse(q)
	if err != nil {
		return search.Request{}, err
	}
	return search.Request{Query: n, From: start, To: end}, nil
}

// hitsRequest sets the page of hits of req; its errors are the caller's.
func hitsRequest(req *search.Request, limit int32, order, cursor string, fields []string) error {
	switch {
	case limit == 0:
		req.Limit = defaultLimit
	case limit < 0 || limit > maxLimit:
		return fmt.Errorf("limit: must be between 1 and %d, got %d", maxLimit, limit)
	default:
		req.Limit = int(limit)
	}
	var err error
	if req.Order, err = search.ParseOrder(order); err != nil {
		return err
	}
	if cursor != "" {
		c, err := search.DecodeCursor(cursor)
		if err != nil {
			return err
		}
		if c.Order != req.Order {
			return errors.New("cursor: it continues a search of the other order")
		}
		req.Cursor = &c
	}
	req.Fields, err = paths("fields", fields, maxFields)
	return err
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
	if res.Next != nil {
		out.NextCursor = res.Next.Encode()
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
