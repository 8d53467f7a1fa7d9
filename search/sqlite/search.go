package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

const (
	countSQL     = `SELECT count(*) FROM %s WHERE e.ts >= ? AND e.ts < ? AND (%s)`
	countTextSQL = `SELECT count(*) FROM fts WHERE fts MATCH ?`
	// hitsSQL sorts only timestamps and row ids, and then reads the docs of the newest.
	hitsSQL = `SELECT h.id, h.ts, json(d.doc) FROM events h JOIN docs d ON d.rid = h.rid WHERE h.rid IN (
		SELECT e.rid FROM %s WHERE e.ts >= ? AND e.ts < ? AND (%s)
		ORDER BY e.ts DESC, e.rid DESC LIMIT ?) ORDER BY h.ts DESC, h.rid DESC`
)

// indexFile is one of a tenant's indices and the time it covers.
type indexFile struct {
	name       string
	start, end time.Time
}

// Search implements search.Backend. A zero From or To leaves that end of the range open.
func (b *Backend) Search(ctx context.Context, req search.Request) (search.Result, error) {
	if !tenant.ValidKey(req.Tenant) {
		return search.Result{}, fmt.Errorf("search: %q is not a tenant key", req.Tenant)
	}
	if b.isClosed() {
		return search.Result{}, ErrClosed
	}
	began := time.Now()
	defer func() { b.m.searchTime.Observe(time.Since(began).Seconds()) }()
	from, to := nanos(req.From, math.MinInt64), nanos(req.To, math.MaxInt64)
	if from >= to {
		return search.Result{}, nil
	}
	cond, err := compile(req.Query)
	if err != nil {
		return search.Result{}, fmt.Errorf("search %s: %w", req.Tenant, err)
	}
	files, err := b.tenantIndices(req.Tenant, from, to)
	if err != nil {
		return search.Result{}, fmt.Errorf("search %s: %w", req.Tenant, err)
	}
	limit := max(req.Limit, 0)
	var res search.Result
	for _, f := range files {
		// Newest first: once Limit hits are newer than this index, it only adds to Total.
		want := limit
		if limit > 0 && len(res.Hits) == limit && res.Hits[limit-1].Timestamp.Compare(f.end) >= 0 {
			want = 0
		}
		total, hits, err := b.searchIndex(ctx, f, cond, from, to, want)
		if err != nil {
			return search.Result{}, fmt.Errorf("search %s: %w", f.name, err)
		}
		res.Total += total
		res.Hits = mergeHits(res.Hits, hits, limit)
	}
	return res, nil
}

// nanos converts t for comparison with stored timestamps, clamping what int64 cannot hold.
func nanos(t time.Time, zero int64) int64 {
	switch {
	case t.IsZero():
		return zero
	case t.Year() < 1678:
		return math.MinInt64
	case t.Year() > 2261:
		return math.MaxInt64
	}
	return t.UnixNano()
}

// tenantIndices lists the index files of tenantID that overlap [from, to), newest first.
// Tenants are compared exactly: acme never reads acme-corp's files.
func (b *Backend) tenantIndices(tenantID string, from, to int64) ([]indexFile, error) {
	entries, err := os.ReadDir(b.cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("list indices: %w", err)
	}
	var files []indexFile
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), fileSuffix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		id, start, end, ok := search.ParseIndexName(name)
		if !ok || id != tenantID || nanos(start, 0) >= to || nanos(end, 0) <= from {
			continue
		}
		files = append(files, indexFile{name: name, start: start, end: end})
	}
	slices.SortFunc(files, func(x, y indexFile) int {
		return cmp.Or(y.end.Compare(x.end), strings.Compare(y.name, x.name))
	})
	return files, nil
}

// searchIndex counts the matches in one index and returns the newest limit of them, both
// from one snapshot. An index deleted since it was listed holds nothing.
func (b *Backend) searchIndex(ctx context.Context, f indexFile, cond condition, from, to int64, limit int) (int64, []search.Hit, error) {
	ix, err := b.acquire(ctx, f.name, false)
	if errors.Is(err, errMissing) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	defer b.release(ix)
	tx, err := ix.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, nil, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	args := append([]any{from, to}, cond.args...)
	// Write keeps every doc within its index's time, so a range that covers the index
	// needs no timestamps to count.
	countQuery, countArgs := fmt.Sprintf(countSQL, cond.from(), cond.sql), args
	if cond.text != "" && from <= nanos(f.start, 0) && to >= nanos(f.end, 0) {
		countQuery, countArgs = countTextSQL, []any{cond.text}
	}
	var total int64
	if err := tx.QueryRowContext(ctx, countQuery, countArgs...).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("count: %w", err)
	}
	if total == 0 || limit == 0 {
		return total, nil, nil
	}
	hits, err := queryHits(ctx, tx, f.name, fmt.Sprintf(hitsSQL, cond.from(), cond.sql), append(args, int64(limit)))
	return total, hits, err
}

func queryHits(ctx context.Context, tx *sql.Tx, name, query string, args []any) ([]search.Hit, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	var hits []search.Hit
	for rows.Next() {
		h := search.Hit{Index: name}
		var ts int64
		if err := rows.Scan(&h.ID, &ts, &h.Source); err != nil {
			return nil, fmt.Errorf("read hit: %w", err)
		}
		h.Timestamp = time.Unix(0, ts).UTC()
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read hits: %w", err)
	}
	return hits, nil
}

// mergeHits merges two newest-first lists and keeps the first limit.
func mergeHits(a, b []search.Hit, limit int) []search.Hit {
	if len(b) == 0 {
		return a
	}
	out := append(a, b...)
	slices.SortStableFunc(out, func(x, y search.Hit) int { return y.Timestamp.Compare(x.Timestamp) })
	return out[:min(len(out), limit)]
}
