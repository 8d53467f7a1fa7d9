package vlogs

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"
	"github.com/VictoriaMetrics/VictoriaMetrics/lib/stringsutil"

	"github.com/trolly-logs/trolly/search"
)

// Search runs req on every storage that holds the tenant's events.
func (b *Backend) Search(ctx context.Context, req search.Request) (search.Result, error) {
	tid, classes, ok := b.tenants.lookup(req.Tenant)
	if !ok || !req.To.After(req.From) {
		return search.Result{}, nil
	}
	filter, err := compile(req.Query)
	if err != nil {
		return search.Result{}, err
	}
	stores := b.opened(classes)
	var res search.Result
	var counted []buckets // of each storage, when the first page and the total are asked
	switch {
	case !req.NoTotal && req.Limit > 0 && req.Cursor == nil:
		// One read of the matches gives the total and where the first page lies.
		for _, s := range stores {
			bk, err := b.bucketCounts(ctx, s, tid, filter, req.From, req.To)
			if err != nil {
				return search.Result{}, fmt.Errorf("search: %w", err)
			}
			res.Total += bk.total()
			counted = append(counted, bk)
		}
	case !req.NoTotal:
		if res.Total, err = b.count(ctx, stores, tid, filter, req.From, req.To); err != nil {
			return search.Result{}, fmt.Errorf("search: %w", err)
		}
	}
	if !req.NoTotal && res.Total == 0 || req.Limit <= 0 {
		return res, nil
	}
	res.Hits, res.Next, err = b.page(ctx, stores, tid, filter, req, counted)
	if err != nil {
		return search.Result{}, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// count returns the exact number of matches of filter in [from, to).
func (b *Backend) count(ctx context.Context, stores []*logstorage.Storage, tid logstorage.TenantID, filter string, from, to time.Time) (int64, error) {
	var total int64
	for _, s := range stores {
		err := b.run(ctx, s, tid, filter+" | stats count() as n", from, to, func(cols map[string][]string, _ int) {
			for _, v := range cols["n"] {
				n, _ := strconv.ParseInt(v, 10, 64)
				total += n
			}
		})
		if err != nil {
			return 0, err
		}
	}
	return total, nil
}

// page returns the hits of req after its cursor, and the cursor after them when more
// match. The engine orders hits of one time by id (its sort, whose order of strings is
// natural, not bytewise); the cursor keeps that order by skipping, past the cursor's time,
// the hits of that time already returned, rather than by comparing ids.
func (b *Backend) page(ctx context.Context, stores []*logstorage.Storage, tid logstorage.TenantID, filter string,
	req search.Request, counted []buckets) ([]search.Hit, *search.Cursor, error) {
	from, to, skip := req.From, req.To, 0
	if c := req.Cursor; c != nil {
		if c.Order != req.Order {
			return nil, nil, fmt.Errorf("%w: it was made for the other order", search.ErrBadCursor)
		}
		skip = c.Skip
		if req.Order == search.Oldest {
			from = maxTime(from, c.Time)
		} else {
			to = minTime(to, c.Time.Add(1))
		}
		if !to.After(from) {
			return nil, nil, nil
		}
	}
	lists, err := b.hits(ctx, stores, tid, filter, req, from, to, skip+req.Limit+1, counted) // one more tells whether a next page exists
	if err != nil {
		return nil, nil, err
	}
	hits := merge(lists, req.Order)
	if len(hits) <= skip {
		return nil, nil, nil
	}
	hits = hits[skip:]
	if len(hits) <= req.Limit {
		return hits, nil, nil
	}
	hits = hits[:req.Limit]
	last := hits[len(hits)-1].Timestamp
	next := &search.Cursor{Order: req.Order, Time: last}
	for _, h := range hits {
		if h.Timestamp.Equal(last) {
			next.Skip++
		}
	}
	if req.Cursor != nil && req.Cursor.Time.Equal(last) {
		next.Skip += skip // the whole page was of the cursor's time
	}
	return hits, next, nil
}

// hits returns the first want hits of req in [from, to) of each storage, in the engine's
// order. The engine's sort reads every column of every match it sorts: it sorts only a
// window that holds the hits wanted (see window). counted holds each storage's buckets of
// [from, to) when the caller has them.
func (b *Backend) hits(ctx context.Context, stores []*logstorage.Storage, tid logstorage.TenantID, filter string,
	req search.Request, from, to time.Time, want int, counted []buckets) ([][]search.Hit, error) {
	days, err := b.retention(ctx, req.Tenant)
	if err != nil {
		return nil, fmt.Errorf("retention of the tenant: %w", err)
	}
	dir := " desc"
	if req.Order == search.Oldest {
		dir = ""
	}
	qs := filter + projection(req.Fields) + " | sort by (_time" + dir + ", " + strconv.Quote(idField) + dir + ") | limit " + strconv.Itoa(want)
	lists := make([][]search.Hit, 0, len(stores))
	for i, s := range stores {
		var bk buckets
		if i < len(counted) {
			bk = counted[i]
		} else if bk, err = b.bucketCounts(ctx, s, tid, filter, from, to); err != nil {
			return nil, err
		}
		lo, hi := bk.window(from, to, want, req.Order)
		var list []search.Hit
		var convErr error
		err = b.run(ctx, s, tid, qs, lo, hi, func(cols map[string][]string, n int) {
			for i := range n {
				h, err := hit(req.Tenant, days, cols, i)
				if err == nil && len(req.Fields) > 0 {
					h.Source, err = search.Project(h.Source, req.Fields)
				}
				if err != nil {
					convErr = cmp.Or(convErr, err)
					continue
				}
				list = append(list, h)
			}
		})
		if err = cmp.Or(err, convErr); err != nil {
			return nil, err
		}
		lists = append(lists, list)
	}
	return lists, nil
}

// buckets counts the matches of a query in buckets of a range.
type buckets struct {
	step   time.Duration
	counts map[int64]int64 // by bucket start, Unix nanoseconds
}

func (bk buckets) total() int64 {
	var n int64
	for _, c := range bk.counts {
		n += c
	}
	return n
}

// bucketCounts counts the matches of filter in 256 buckets of [from, to): it reads times
// alone, where sorting reads every column.
func (b *Backend) bucketCounts(ctx context.Context, s *logstorage.Storage, tid logstorage.TenantID, filter string,
	from, to time.Time) (buckets, error) {
	bk := buckets{step: max(to.Sub(from)/256, time.Millisecond).Truncate(time.Millisecond), counts: map[int64]int64{}}
	qs := filter + " | stats by (_time:" + strconv.FormatInt(bk.step.Milliseconds(), 10) + "ms) count() as n"
	err := b.run(ctx, s, tid, qs, from, to, func(cols map[string][]string, rows int) {
		for i := range rows {
			ts, err := time.Parse(time.RFC3339Nano, cols[timeField][i])
			n, nerr := strconv.ParseInt(cols["n"][i], 10, 64)
			if err == nil && nerr == nil {
				bk.counts[ts.UnixNano()] += n
			}
		}
	})
	return bk, err
}

// window narrows [from, to) to the buckets at its newest end (its oldest, for Oldest) that
// hold the first want matches: the newest events of a busy day then sort only its last
// minutes.
func (bk buckets) window(from, to time.Time, want int, order search.Order) (time.Time, time.Time) {
	starts := slices.Sorted(maps.Keys(bk.counts))
	if order == search.Newest {
		slices.Reverse(starts)
	}
	var sum int64
	for _, start := range starts {
		if sum += bk.counts[start]; sum < int64(want) {
			continue
		}
		t := time.Unix(0, start).UTC()
		if order == search.Oldest {
			return from, minTime(to, t.Add(bk.step))
		}
		return maxTime(from, t), to
	}
	return from, to // every match is wanted
}

// plainPath is a path that can be named unquoted-safe in a fields pipe.
var plainPath = regexp.MustCompile(`^[A-Za-z0-9_@-]+(\.[A-Za-z0-9_@-]+)*$`)

// projection returns a fields pipe reading only the columns of paths and those a hit needs,
// or "" to read every column (no paths, or one the pipe cannot name). search.Project then
// shapes the source; this only spares the engine the other columns.
func projection(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	cols := []string{timeField, idField, shapeField, srcIDField, restField}
	for _, p := range paths {
		if !plainPath.MatchString(p) {
			return ""
		}
		c := column(p)
		cols = append(cols, c, c+".*")
	}
	for i, c := range cols {
		cols[i] = strconv.Quote(c)
	}
	return " | fields " + strings.Join(cols, ", ")
}

// merge merges the hits of each storage, each in the engine's order, into one list in
// that order.
func merge(lists [][]search.Hit, order search.Order) []search.Hit {
	if len(lists) == 1 {
		return lists[0]
	}
	var out []search.Hit
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.SortStableFunc(out, func(a, b search.Hit) int {
		c := a.Timestamp.Compare(b.Timestamp)
		if c == 0 {
			c = compareEngine(a.ID, b.ID)
		}
		if order == search.Newest {
			return -c
		}
		return c
	})
	return out
}

// compareEngine orders strings as the engine's sort does: as integers, times or numbers
// when both are, else naturally (digit runs by value).
func compareEngine(a, b string) int {
	if a == b {
		return 0
	}
	if x, err := strconv.ParseInt(a, 10, 64); err == nil {
		if y, err := strconv.ParseInt(b, 10, 64); err == nil {
			return cmp.Compare(x, y)
		}
	}
	if x, ok := logstorage.TryParseTimestampRFC3339Nano(a); ok {
		if y, ok := logstorage.TryParseTimestampRFC3339Nano(b); ok {
			return cmp.Compare(x, y)
		}
	}
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			return cmp.Compare(x, y)
		}
	}
	if stringsutil.LessNatural(a, b) {
		return -1
	}
	return 1
}
