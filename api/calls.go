package api

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
)

// Bounds of the search calls' requests.
const (
	maxFields         = 50 // paths of a projection
	maxFacetFields    = 20
	defaultFacetLimit = 10
	maxFacetLimit     = 100
	defaultSplitTop   = 5
	maxSplitTop       = 20
)

// answer admits a call over q, from and to (begin), lets prepare check and complete its
// request, and runs f within the plan (call.run).
func answer[T any](ctx context.Context, s *searchService, q, from, to string, prepare func(c *call) error,
	f func(ctx context.Context, req search.Request) (T, error)) (T, error) {
	var out T
	c, err := s.begin(ctx, q, from, to)
	if err != nil {
		return out, err
	}
	defer c.release()
	if prepare != nil {
		if err := prepare(c); err != nil {
			return out, err
		}
	}
	err = c.run(ctx, func(ctx context.Context) (err error) {
		out, err = f(ctx, c.req)
		return err
	})
	return out, err
}

// Count implements trollyv1.SearchServiceServer: the total of Search, without hits.
func (s *searchService) Count(ctx context.Context, req *trollyv1.CountRequest) (*trollyv1.CountResponse, error) {
	res, err := answer(ctx, s, req.GetQ(), req.GetFrom(), req.GetTo(), nil, s.backend.Search)
	if err != nil {
		return nil, err
	}
	return &trollyv1.CountResponse{Total: res.Total}, nil
}

// analyzer returns the backend's aggregate calls, or Unimplemented.
func (s *searchService) analyzer() (search.Analyzer, error) {
	an, ok := s.backend.(search.Analyzer)
	if !ok {
		return nil, status.Error(codes.Unimplemented, "this server's search backend does not serve this call")
	}
	return an, nil
}

// Histogram implements trollyv1.SearchServiceServer.
func (s *searchService) Histogram(ctx context.Context, req *trollyv1.HistogramRequest) (*trollyv1.HistogramResponse, error) {
	an, err := s.analyzer()
	if err != nil {
		return nil, err
	}
	hreq := search.HistogramRequest{By: strings.TrimSpace(req.GetBy()), Top: int(req.GetTop())}
	switch {
	case hreq.By == "":
	case hreq.Top == 0:
		hreq.Top = defaultSplitTop
	case hreq.Top < 1 || hreq.Top > maxSplitTop:
		return nil, invalidField("top", fmt.Sprintf("must be between 1 and %d, got %d", maxSplitTop, hreq.Top))
	}
	prepare := func(c *call) (err error) {
		hreq.Interval, err = s.interval(req.GetInterval(), c.req.From, c.req.To)
		return err
	}
	h, err := answer(ctx, s, req.GetQ(), req.GetFrom(), req.GetTo(), prepare, func(ctx context.Context, r search.Request) (search.Histogram, error) {
		hreq.Request = r
		return an.Histogram(ctx, hreq)
	})
	if err != nil {
		return nil, err
	}
	out := &trollyv1.HistogramResponse{Interval: formatInterval(h.Interval), Values: h.Values,
		Buckets: make([]*trollyv1.HistogramBucket, len(h.Buckets))}
	for i, b := range h.Buckets {
		out.Total += b.Count
		out.Buckets[i] = &trollyv1.HistogramBucket{Start: timestamppb.New(b.Start), Count: b.Count, ByValue: b.ByValue, Other: b.Other}
	}
	return out, nil
}

// interval reads a histogram's interval, or picks one for the range; a range that the
// interval cuts into more than the configured buckets is refused.
func (s *searchService) interval(given string, from, to time.Time) (time.Duration, error) {
	if given == "" {
		return search.AutoInterval(from, to), nil
	}
	d, err := parseDuration(given)
	if err != nil || d < time.Millisecond {
		return 0, invalidField("interval", fmt.Sprintf("%q is not an interval: a number and a unit of ms, s, m, h, d or w, at least 1ms", given))
	}
	if n := search.BucketCount(from, to, d); n > int64(s.cfg.MaxHistogramBuckets) {
		return 0, invalidField("interval", fmt.Sprintf("%s over %s gives %d buckets, more than this server's max_histogram_buckets (%d): "+
			"use a larger interval, a shorter range, or no interval to get one picked", formatInterval(d), to.Sub(from), n, s.cfg.MaxHistogramBuckets))
	}
	return d, nil
}

// formatInterval writes d in the largest unit that divides it.
func formatInterval(d time.Duration) string {
	for _, u := range []struct {
		name string
		d    time.Duration
	}{{"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}} {
		if d >= u.d && d%u.d == 0 {
			return fmt.Sprintf("%d%s", d/u.d, u.name)
		}
	}
	return d.String()
}

// Facets implements trollyv1.SearchServiceServer.
func (s *searchService) Facets(ctx context.Context, req *trollyv1.FacetsRequest) (*trollyv1.FacetsResponse, error) {
	an, err := s.analyzer()
	if err != nil {
		return nil, err
	}
	fields, err := paths("fields", req.GetFields(), maxFacetFields)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	limit := int(req.GetLimit())
	switch {
	case limit == 0:
		limit = defaultFacetLimit
	case limit < 1 || limit > maxFacetLimit:
		return nil, invalidField("limit", fmt.Sprintf("must be between 1 and %d, got %d", maxFacetLimit, limit))
	}
	facets, err := answer(ctx, s, req.GetQ(), req.GetFrom(), req.GetTo(), nil, func(ctx context.Context, r search.Request) ([]search.Facet, error) {
		return an.Facets(ctx, search.FacetsRequest{Request: r, Fields: fields, Limit: limit})
	})
	if err != nil {
		return nil, err
	}
	out := &trollyv1.FacetsResponse{Facets: make([]*trollyv1.Facet, len(facets))}
	for i, f := range facets {
		values := make([]*trollyv1.FacetValue, len(f.Values))
		for j, v := range f.Values {
			values[j] = &trollyv1.FacetValue{Value: v.Value, Count: v.Count}
		}
		out.Facets[i] = &trollyv1.Facet{Field: f.Field, Values: values}
	}
	return out, nil
}

// ListFields implements trollyv1.SearchServiceServer.
func (s *searchService) ListFields(ctx context.Context, req *trollyv1.ListFieldsRequest) (*trollyv1.ListFieldsResponse, error) {
	an, err := s.analyzer()
	if err != nil {
		return nil, err
	}
	fields, err := answer(ctx, s, req.GetQ(), req.GetFrom(), req.GetTo(), nil, an.FieldNames)
	if err != nil {
		return nil, err
	}
	out := &trollyv1.ListFieldsResponse{Fields: make([]*trollyv1.FieldCount, len(fields))}
	for i, f := range fields {
		out.Fields[i] = &trollyv1.FieldCount{Field: f.Field, Count: f.Count}
	}
	return out, nil
}

// paths reads a list of ECS paths, each item possibly comma-separated, at most max.
func paths(name string, in []string, max int) ([]string, error) {
	var out []string
	for _, item := range in {
		for p := range strings.SplitSeq(item, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	if len(out) > max {
		return nil, fmt.Errorf("%s: at most %d paths, got %d", name, max, len(out))
	}
	return out, nil
}
