package vlogs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/VictoriaMetrics/VictoriaLogs/lib/logstorage"

	"github.com/trolly-logs/trolly/search"
)

// RetentionFunc returns the search retention, in days, of the tenant whose key is
// tenantKey: it picks the class whose storage keeps the tenant's events.
type RetentionFunc func(ctx context.Context, tenantKey string) (days int, err error)

// Backend is a search.Backend on VictoriaLogs' storage: one storage per retention class,
// each tenant's events under a numeric tenant id of the engine (tenants.go).
type Backend struct {
	cfg       Config
	retention RetentionFunc
	tenants   *tenantMap
	commit    *committer

	mu     sync.Mutex
	stores map[int]*logstorage.Storage // by class
	writes map[string]*tenantWrites    // by tenant key
	closed bool
}

var _ search.Backend = (*Backend)(nil)

// tenantWrites serializes one tenant's writes between their check of ids already stored
// and the add of the others, and keeps the ids added but not yet searchable.
type tenantWrites struct {
	mu      sync.Mutex
	pending map[string]uint64 // id -> the commit round after which a search finds it
}

// Open opens (or creates) the storages under cfg.Dir. retention gives each tenant's class.
func Open(cfg Config, retention RetentionFunc) (*Backend, error) {
	cfg.ApplyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if retention == nil {
		return nil, errors.New("search: a retention lookup is required")
	}
	if err := engineSetup(cfg.MemoryBytes); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, err
	}
	tenants, err := openTenantMap(cfg.Dir)
	if err != nil {
		return nil, err
	}
	b := &Backend{cfg: cfg, retention: retention, tenants: tenants,
		stores: map[int]*logstorage.Storage{}, writes: map[string]*tenantWrites{}}
	// Open what exists, so that retention and unfinished deletions go on.
	for _, class := range cfg.Classes {
		if _, err := os.Stat(b.classDir(class)); err == nil {
			b.stores[class] = b.openClass(class)
		}
	}
	b.commit = newCommitter(b.committed)
	return b, nil
}

func (b *Backend) classDir(class int) string {
	return filepath.Join(b.cfg.Dir, strconv.Itoa(class)+"d")
}

func (b *Backend) openClass(class int) *logstorage.Storage {
	return logstorage.MustOpenStorage(b.classDir(class), &logstorage.StorageConfig{
		Retention:             time.Duration(class) * 24 * time.Hour,
		FutureRetention:       b.cfg.FutureRetention,
		FlushInterval:         time.Second,
		MinFreeDiskSpaceBytes: b.cfg.MinFreeDiskBytes,
	})
}

// classOf returns the smallest class that keeps days, else the largest.
func (b *Backend) classOf(days int) int {
	for _, c := range b.cfg.Classes {
		if c >= days {
			return c
		}
	}
	return b.cfg.Classes[len(b.cfg.Classes)-1]
}

// store returns the storage of class, opening it on first use.
func (b *Backend) store(class int) (*logstorage.Storage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("search backend closed")
	}
	s := b.stores[class]
	if s == nil {
		s = b.openClass(class)
		b.stores[class] = s
	}
	return s, nil
}

// opened returns the open storages of classes.
func (b *Backend) opened(classes []int) []*logstorage.Storage {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []*logstorage.Storage
	for _, c := range classes {
		if s := b.stores[c]; s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (b *Backend) tenantWrites(key string) *tenantWrites {
	b.mu.Lock()
	defer b.mu.Unlock()
	tw := b.writes[key]
	if tw == nil {
		tw = &tenantWrites{pending: map[string]uint64{}}
		b.writes[key] = tw
	}
	return tw
}

// committed forgets the pending ids that round made searchable.
func (b *Backend) committed(round uint64) {
	b.mu.Lock()
	tws := make([]*tenantWrites, 0, len(b.writes))
	for _, tw := range b.writes {
		tws = append(tws, tw)
	}
	b.mu.Unlock()
	for _, tw := range tws {
		tw.mu.Lock()
		for id, r := range tw.pending {
			if r <= round {
				delete(tw.pending, id)
			}
		}
		tw.mu.Unlock()
	}
}

// Write stores docs under the tenant of index, skipping ids it already holds, and returns
// once they are on disk: after a commit round of the storage (committer), which the
// writes of that moment share.
func (b *Backend) Write(ctx context.Context, index string, docs []search.Doc) error {
	key, _, _, ok := search.ParseIndexName(index)
	if !ok {
		return fmt.Errorf("write to %q: not an index name", index)
	}
	if len(docs) == 0 {
		return nil
	}
	days, err := b.retention(ctx, key)
	if err != nil {
		return fmt.Errorf("write to %s: retention of the tenant: %w", index, err)
	}
	class := b.classOf(days)
	s, err := b.store(class)
	if err != nil {
		return err
	}
	if s.IsReadOnly() {
		return fmt.Errorf("write to %s: the search storage is read-only: its disk has less than %d bytes free", index, b.cfg.MinFreeDiskBytes)
	}
	tid, err := b.tenants.forWrite(key, class)
	if err != nil {
		return fmt.Errorf("write to %s: %w", index, err)
	}
	tw := b.tenantWrites(key)
	tw.mu.Lock()
	fresh, err := b.fresh(ctx, key, tid, tw, docs)
	if err != nil {
		tw.mu.Unlock()
		return fmt.Errorf("write to %s: %w", index, err)
	}
	var parts map[string]bool
	if len(fresh) > 0 {
		parts, err = b.add(s, tid, fresh)
		if err != nil {
			tw.mu.Unlock()
			return fmt.Errorf("write to %s: %w", index, err)
		}
	}
	round := b.commit.join(s, parts)
	for _, d := range fresh {
		tw.pending[d.ID] = round
	}
	tw.mu.Unlock()
	if err := b.commit.wait(ctx, round); err != nil {
		return fmt.Errorf("write to %s: %w", index, err)
	}
	return nil
}

// fresh returns the docs whose id neither docs before them nor the tenant's storages hold.
func (b *Backend) fresh(ctx context.Context, key string, tid logstorage.TenantID, tw *tenantWrites, docs []search.Doc) ([]search.Doc, error) {
	seen := make(map[string]bool, len(docs))
	var out []search.Doc
	for _, d := range docs {
		if seen[d.ID] {
			continue
		}
		seen[d.ID] = true
		if _, ok := tw.pending[d.ID]; !ok {
			out = append(out, d)
		}
	}
	_, classes, _ := b.tenants.lookup(key)
	stored, err := b.stored(ctx, tid, b.opened(classes), out)
	if err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		return out, nil
	}
	return slices.DeleteFunc(out, func(d search.Doc) bool { return stored[d.ID] }), nil
}

// idsPerQuery bounds the ids of one lookup query.
const idsPerQuery = 1000

// stored returns which ids of docs the storages hold for the tenant, looking in the days
// of the docs' timestamps.
func (b *Backend) stored(ctx context.Context, tid logstorage.TenantID, stores []*logstorage.Storage, docs []search.Doc) (map[string]bool, error) {
	found := map[string]bool{}
	for chunk := range slices.Chunk(docs, idsPerQuery) {
		lo, hi := chunk[0].Timestamp, chunk[0].Timestamp
		var q strings.Builder
		q.WriteString(strconv.Quote(idField) + ":in(")
		for i, d := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(strconv.Quote(d.ID))
			lo, hi = minTime(lo, d.Timestamp), maxTime(hi, d.Timestamp)
		}
		q.WriteString(") | fields " + strconv.Quote(idField))
		// Whole days: the engine reads the timestamps of every block that a range cuts, and
		// the blocks of a day partition all lie inside its day. An id is one event, stored
		// at one time, so the wider range finds nothing more.
		from := maxTime(lo.Truncate(24*time.Hour), time.Unix(0, math.MinInt64))
		to := minTime(hi.Truncate(24*time.Hour).Add(24*time.Hour), time.Unix(0, math.MaxInt64))
		for _, s := range stores {
			err := b.run(ctx, s, tid, q.String(), from, to, func(cols map[string][]string, n int) {
				for _, id := range cols[idField] {
					found[id] = true
				}
			})
			if err != nil {
				return nil, fmt.Errorf("look up stored ids: %w", err)
			}
		}
	}
	return found, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// rowsPerAdd bounds the rows handed to the storage at once: the library keeps its row
// buffers in a pool at the largest size they reached, so one large write would hold its
// memory for good.
const rowsPerAdd = 2048

// add hands docs to the storage, returning the day partitions (YYYYMMDD) they went to.
// A document that is no JSON object fails the whole call before anything is added.
func (b *Backend) add(s *logstorage.Storage, tid logstorage.TenantID, docs []search.Doc) (map[string]bool, error) {
	for _, d := range docs {
		if !d.Validated && !isObject(d.Source) {
			return nil, fmt.Errorf("source of %s: not a JSON object", d.ID)
		}
	}
	var fl flattener
	days := map[string]bool{}
	for chunk := range slices.Chunk(docs, rowsPerAdd) {
		lr := logstorage.GetLogRows(nil, nil, nil, nil, "")
		for _, d := range chunk {
			fields, err := fl.flattenObject(d.ID, d.Source)
			if err != nil {
				logstorage.PutLogRows(lr)
				return nil, err
			}
			lr.MustAdd(tid, d.Timestamp.UnixNano(), fields, 0)
			days[d.Timestamp.UTC().Format("20060102")] = true
		}
		s.MustAddRows(lr)
		logstorage.PutLogRows(lr)
	}
	return days, nil
}

// run runs a LogsQL query of the tenant over [from, to) on s, calling f with the columns
// of each block of results (serialized).
func (b *Backend) run(ctx context.Context, s *logstorage.Storage, tid logstorage.TenantID, qs string, from, to time.Time,
	f func(cols map[string][]string, rows int)) error {
	q, err := logstorage.ParseQuery(qs)
	if err != nil {
		return fmt.Errorf("query %q: %w", qs, err)
	}
	q.AddTimeFilter(from.UnixNano(), to.UnixNano()-1)
	var mu sync.Mutex
	qctx := logstorage.NewQueryContext(ctx, &logstorage.QueryStats{}, []logstorage.TenantID{tid}, q, false, nil)
	err = s.RunQuery(qctx, func(_ uint, db *logstorage.DataBlock) {
		n := db.RowsCount()
		if n == 0 {
			return
		}
		cols := make(map[string][]string)
		for _, c := range db.GetColumns(false) {
			// The block's memory, names and values, is reused once this returns.
			vs := make([]string, len(c.Values))
			for i, v := range c.Values {
				vs[i] = strings.Clone(v)
			}
			cols[strings.Clone(c.Name)] = vs
		}
		mu.Lock()
		defer mu.Unlock()
		f(cols, n)
	})
	if err == nil {
		// The engine stops a query whose context ends without an error: what it gave is
		// then only part of the answer.
		err = ctx.Err()
	}
	return err
}

// hit makes row i of a block of results a hit.
func hit(key string, days int, cols map[string][]string, i int) (search.Hit, error) {
	fields := make(map[string]string, len(cols))
	for name, vs := range cols {
		if v := vs[i]; v != "" {
			fields[name] = v
		}
	}
	ts, err := time.Parse(time.RFC3339Nano, fields[timeField])
	if err != nil {
		return search.Hit{}, fmt.Errorf("time of a stored event: %w", err)
	}
	src, err := unflatten(fields)
	if err != nil {
		return search.Hit{}, fmt.Errorf("event %s: %w", fields[idField], err)
	}
	return search.Hit{ID: fields[idField], Index: search.IndexName(key, ts, days), Timestamp: ts.UTC(), Source: src}, nil
}

// DropTenant retires the tenant's id, so that nothing of it is found from now on and a
// later write starts afresh, and has the storages delete its events in the background.
// It returns the count of the tenant's indices (days or months holding events).
func (b *Backend) DropTenant(ctx context.Context, key string) (int, error) {
	days, err := b.retention(ctx, key)
	if err != nil {
		days = 0 // a deleted tenant: count its indices by day
	}
	tid, classes, ok, err := b.tenants.retire(key)
	if err != nil || !ok {
		return 0, err
	}
	indices := map[string]bool{}
	for _, s := range b.opened(classes) {
		err := b.run(ctx, s, tid, "* | stats by (_time:1d) count() as n", time.Unix(0, 0), time.Now().Add(b.cfg.FutureRetention+24*time.Hour),
			func(cols map[string][]string, _ int) {
				for _, v := range cols[timeField] {
					if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
						indices[search.IndexName(key, t, days)] = true
					}
				}
			})
		if err != nil {
			return 0, fmt.Errorf("drop tenant %s: %w", key, err)
		}
		f, err := logstorage.ParseFilter("*")
		if err != nil {
			return 0, err
		}
		task := fmt.Sprintf("drop-%d-%d", tid.AccountID, time.Now().UnixNano())
		if err := s.DeleteRunTask(ctx, task, time.Now().UnixNano(), []logstorage.TenantID{tid}, f); err != nil {
			return 0, fmt.Errorf("drop tenant %s: %w", key, err)
		}
	}
	return len(indices), nil
}

// Close waits for the writes in flight and closes the storages, which flush what they hold.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true // no new writes
	b.mu.Unlock()
	b.commit.close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.stores {
		s.MustClose()
	}
	return nil
}
