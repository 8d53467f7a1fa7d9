package vlogs

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"

	"github.com/trolly-logs/trolly/search"
)

var _ search.Analyzer = (*Backend)(nil)

// scope is what an aggregate call reads: the tenant's id, storages and compiled filter;
// ok is false when there is nothing to read.
type scope struct {
	tid    logstorage.TenantID
	stores []*logstorage.Storage
	filter string
	ok     bool
}

func (b *Backend) scope(req search.Request) (scope, error) {
	tid, classes, ok := b.tenants.lookup(req.Tenant)
	if !ok || !req.To.After(req.From) {
		return scope{}, nil
	}
	filter, err := compile(req.Query)
	if err != nil {
		return scope{}, err
	}
	return scope{tid: tid, stores: b.opened(classes), filter: filter, ok: true}, nil
}

// Histogram counts matches per bucket with a stats pipe by _time; a split counts the top
// values' matches with a second one restricted to those values, and the rest by difference,
// so that its groups stay bounded by buckets times values.
func (b *Backend) Histogram(ctx context.Context, req search.HistogramRequest) (search.Histogram, error) {
	if req.Interval <= 0 {
		return search.Histogram{}, fmt.Errorf("histogram: interval must be positive, got %s", req.Interval)
	}
	sc, err := b.scope(req.Request)
	if err != nil {
		return search.Histogram{}, err
	}
	h := search.Histogram{Interval: req.Interval}
	if sc.ok && req.By != "" {
		top, err := b.top(ctx, sc, column(req.By), req.Top, req.From, req.To)
		if err != nil {
			return search.Histogram{}, fmt.Errorf("histogram: %w", err)
		}
		for _, v := range top {
			h.Values = append(h.Values, v.Value)
		}
	}
	h.Buckets = search.EmptyBuckets(req.From, req.To, req.Interval, len(h.Values))
	if !sc.ok || len(h.Buckets) == 0 {
		return h, nil
	}
	if err := b.countBuckets(ctx, sc, req, h, "", func(bk *search.Bucket, _ string, n int64) { bk.Count += n }); err != nil {
		return search.Histogram{}, fmt.Errorf("histogram: %w", err)
	}
	if len(h.Values) > 0 {
		index := make(map[string]int, len(h.Values))
		for i, v := range h.Values {
			index[v] = i
		}
		err := b.countBuckets(ctx, sc, req, h, column(req.By), func(bk *search.Bucket, v string, n int64) {
			if i, ok := index[v]; ok {
				bk.ByValue[i] += n
			}
		})
		if err != nil {
			return search.Histogram{}, fmt.Errorf("histogram: %w", err)
		}
	}
	for i := range h.Buckets {
		bk := &h.Buckets[i]
		bk.Other = bk.Count
		for _, n := range bk.ByValue {
			bk.Other -= n
		}
	}
	return h, nil
}

// countBuckets counts the matches of each of h's buckets, or, with col, of each of
// h.Values of col in each, calling add with the bucket, the value and the count.
func (b *Backend) countBuckets(ctx context.Context, sc scope, req search.HistogramRequest, h search.Histogram, col string,
	add func(bk *search.Bucket, value string, n int64)) error {
	step := strconv.FormatInt(int64(req.Interval), 10) + "ns"
	qs := sc.filter + " | stats by (_time:" + step + ") count() as n"
	if col != "" {
		quoted := make([]string, len(h.Values))
		for i, v := range h.Values {
			quoted[i] = strconv.Quote(v)
		}
		q := strconv.Quote(col)
		qs = "(" + sc.filter + ") AND " + q + ":in(" + strings.Join(quoted, ",") + ") | stats by (_time:" + step + ", " + q + ") count() as n"
	}
	first := h.Buckets[0].Start
	return b.each(ctx, sc, qs, req.From, req.To, func(cols map[string][]string, i int) {
		t, err := time.Parse(time.RFC3339Nano, cols[timeField][i])
		if err != nil {
			return
		}
		if k := int(t.Sub(first) / req.Interval); k >= 0 && k < len(h.Buckets) {
			var v string
			if col != "" {
				v = cols[col][i]
			}
			add(&h.Buckets[k], v, parseCount(cols["n"][i]))
		}
	})
}

// Facets returns the top values of each field asked, or of every field by a facets pipe.
func (b *Backend) Facets(ctx context.Context, req search.FacetsRequest) ([]search.Facet, error) {
	sc, err := b.scope(req.Request)
	if err != nil || !sc.ok {
		return nil, err
	}
	if len(req.Fields) > 0 {
		out := make([]search.Facet, 0, len(req.Fields))
		for _, f := range req.Fields {
			top, err := b.top(ctx, sc, column(f), req.Limit, req.From, req.To)
			if err != nil {
				return nil, fmt.Errorf("facets: %w", err)
			}
			out = append(out, search.Facet{Field: f, Values: top})
		}
		return out, nil
	}
	counts := map[string]map[string]int64{} // path -> value -> count
	qs := sc.filter + " | facets " + strconv.Itoa(req.Limit) + " keep_const_fields"
	err = b.each(ctx, sc, qs, req.From, req.To, func(cols map[string][]string, i int) {
		path, ok := ecsPath(cols["field_name"][i])
		if !ok || path == "@timestamp" {
			return // times are for the histogram
		}
		if counts[path] == nil {
			counts[path] = map[string]int64{}
		}
		counts[path][cols["field_value"][i]] += parseCount(cols["hits"][i])
	})
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	out := make([]search.Facet, 0, len(counts))
	for _, path := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, search.Facet{Field: path, Values: topOf(counts[path], req.Limit)})
	}
	return out, nil
}

// FieldNames lists the columns of the matches with a field_names pipe, then counts the
// matches holding each with count(column) (the pipe's own hits count the rows of the
// blocks that have the column, holders or not). Columns are named by their ECS paths.
func (b *Backend) FieldNames(ctx context.Context, req search.Request) ([]search.FieldCount, error) {
	sc, err := b.scope(req)
	if err != nil || !sc.ok {
		return nil, err
	}
	counts := map[string]int64{}
	for _, s := range sc.stores {
		var cols []string
		err := b.run(ctx, s, sc.tid, sc.filter+" | field_names", req.From, req.To, func(c map[string][]string, n int) {
			for i := range n {
				if _, ok := ecsPath(c["name"][i]); ok {
					cols = append(cols, c["name"][i])
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("field names: %w", err)
		}
		// _time and b.@timestamp are both @timestamp: within a storage, the larger count.
		store := map[string]int64{}
		for chunk := range slices.Chunk(cols, fieldsPerCount) {
			stats := make([]string, len(chunk))
			for i, c := range chunk {
				stats[i] = "count(" + strconv.Quote(c) + ") as c" + strconv.Itoa(i)
			}
			err := b.run(ctx, s, sc.tid, sc.filter+" | stats "+strings.Join(stats, ", "), req.From, req.To, func(c map[string][]string, n int) {
				for i, col := range chunk {
					path, _ := ecsPath(col)
					for row := range n {
						store[path] = max(store[path], parseCount(c["c"+strconv.Itoa(i)][row]))
					}
				}
			})
			if err != nil {
				return nil, fmt.Errorf("field names: %w", err)
			}
		}
		for p, n := range store {
			counts[p] += n
		}
	}
	out := make([]search.FieldCount, 0, len(counts))
	for _, p := range slices.Sorted(maps.Keys(counts)) {
		if counts[p] > 0 {
			out = append(out, search.FieldCount{Field: p, Count: counts[p]})
		}
	}
	return out, nil
}

// fieldsPerCount bounds the count functions of one stats pipe.
const fieldsPerCount = 100

// top returns the limit most frequent non-empty values of col among the matches.
func (b *Backend) top(ctx context.Context, sc scope, col string, limit int, from, to time.Time) ([]search.ValueCount, error) {
	q := strconv.Quote(col)
	qs := "(" + sc.filter + ") AND " + q + ":* | top " + strconv.Itoa(limit) + " by (" + q + ")"
	counts := map[string]int64{}
	err := b.each(ctx, sc, qs, from, to, func(cols map[string][]string, i int) {
		counts[cols[col][i]] += parseCount(cols["hits"][i])
	})
	if err != nil {
		return nil, err
	}
	return topOf(counts, limit), nil
}

// topOf returns the limit values of counts with the most, ties by value.
func topOf(counts map[string]int64, limit int) []search.ValueCount {
	out := make([]search.ValueCount, 0, len(counts))
	for v, n := range counts {
		out = append(out, search.ValueCount{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b search.ValueCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// each runs qs on every storage of sc, calling f for each result row.
func (b *Backend) each(ctx context.Context, sc scope, qs string, from, to time.Time, f func(cols map[string][]string, i int)) error {
	for _, s := range sc.stores {
		err := b.run(ctx, s, sc.tid, qs, from, to, func(cols map[string][]string, n int) {
			for i := range n {
				f(cols, i)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func parseCount(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// ecsPath returns the ECS path of an engine column; ok is false for the columns that
// only rebuild documents, and the engine's own.
func ecsPath(col string) (string, bool) {
	switch {
	case col == msgField:
		return "message", true
	case col == timeField:
		return "@timestamp", true
	case col == shapeField || col == srcIDField || col == restField || col == caseField:
		return "", false
	case strings.HasPrefix(col, content):
		return col[len(content):], true
	case strings.HasPrefix(col, bookkeep):
		return col[len(bookkeep):], true
	}
	return "", false
}
