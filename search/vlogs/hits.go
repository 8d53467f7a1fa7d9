package vlogs

import (
	"cmp"
	"context"
	"fmt"
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
	if !req.NoTotal {
		if res.Total, err = b.count(ctx, stores, tid, filter, req.From, req.To); err != nil {
			return search.Result{}, fmt.Errorf("search: %w", err)
		}
		if res.Total == 0 {
			return res, nil
		}
	}
	if req.Limit <= 0 {
		return res, nil
	}
	res.Hits, res.Next, err = b.page(ctx, stores, tid, filter, req, res.Total)
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
	req search.Request, total int64) ([]search.Hit, *search.Cursor, error) {
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
	known := int64(-1)
	if req.Cursor == nil && !req.NoTotal {
		known = total
	}
	lists, err := b.hits(ctx, stores, tid, filter, req, from, to, skip+req.Limit+1, known) // one more tells whether a next page exists
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
// order. The engine's sort reads every column of every match it sorts: boundary first
// finds a window that holds the hits wanted. known is the count of matches in [from, to),
// or -1.
func (b *Backend) hits(ctx context.Context, stores []*logstorage.Storage, tid logstorage.TenantID, filter string,
	req search.Request, from, to time.Time, want int, known int64) ([][]search.Hit, error) {
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
	for _, s := range stores {
		if len(stores) > 1 {
			known = -1 // the count is of every storage
		}
		lo, hi, err := b.boundary(ctx, s, tid, filter, from, to, want, req.Order, known)
		if err != nil {
			return nil, err
		}
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

// boundary narrows [from, to) to a window at its newest end (its oldest, for Oldest) that
// holds the first want matches of filter, counting matches in windows eight times wider
// each time: counting reads far less than sorting, and a search for the newest events of
// a busy day then sorts only its last minutes. known is the count of matches in
// [from, to), or -1.
func (b *Backend) boundary(ctx context.Context, s *logstorage.Storage, tid logstorage.TenantID, filter string,
	from, to time.Time, want int, order search.Order, known int64) (time.Time, time.Time, error) {
	if known >= 0 && known <= int64(want) {
		return from, to, nil // every match is wanted
	}
	span := to.Sub(from)
	for d := max(span/4096, time.Second); d < span; d *= 8 {
		lo, hi := to.Add(-d), to
		if order == search.Oldest {
			lo, hi = from, from.Add(d)
		}
		n, err := b.count(ctx, []*logstorage.Storage{s}, tid, filter, lo, hi)
		if err != nil {
			return from, to, err
		}
		if n >= int64(want) {
			return lo, hi, nil
		}
	}
	return from, to, nil
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
