package vlogs

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

func doc(id string, ts time.Time, extra string) search.Doc {
	src := fmt.Sprintf(`{"@timestamp":%q,"message":"request done","event":{"id":%q,"ingested":%q,"dataset":"app"},`+
		`"organization":{"id":"acme"},"ecs":{"version":"8.11.0"},"data_stream":{"type":"logs","dataset":"app","namespace":"default"}%s}`,
		ts.Format(time.RFC3339Nano), id, ts.Add(time.Second).Format(time.RFC3339Nano), extra)
	return search.Doc{ID: id, Timestamp: ts, Source: []byte(src)}
}

func count(t *testing.T, b *Backend, tenant, q string, from, to time.Time) int64 {
	t.Helper()
	n, err := query.Parse(q)
	require.NoError(t, err)
	res, err := b.Search(t.Context(), search.Request{Tenant: tenant, Query: n, From: from, To: to})
	require.NoError(t, err)
	return res.Total
}

// A word without a field searches the event's text, not what Trolly stamps on it.
func TestBareWordsSkipBookkeeping(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	d := doc("01HXBATCH-135", ts, `,"host":{"name":"web-7"}`)
	require.NoError(t, b.Write(t.Context(), search.IndexName("acme", ts, 7), []search.Doc{d}))
	from, to := ts.Add(-time.Hour), ts.Add(time.Hour)
	for q, want := range map[string]int64{
		"135": 0, "01HXBATCH": 0, "acme": 0, "8": 0, "2024": 0, "default": 0, "logs": 0,
		"done": 1, "web-7": 1, "WEB*": 1, `"request done"`: 1, `"done request"`: 0,
		"event.id:01HXBATCH-135": 1, "organization.id:acme": 1, "ecs.version:8.11.0": 1,
		"data_stream.namespace:default": 1, "event.dataset:app": 1, "host.name:web-7": 1, "host.name:web": 0,
	} {
		require.Equal(t, want, count(t, b, "acme", q, from, to), "query %s", q)
	}
}

// Each tenant's events go to the storage of its retention class; a tenant whose retention
// changes is still searched in the class it left.
func TestRetentionClasses(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	days := map[string]int{"short": 5, "long": 20}
	b, err := Open(Config{Dir: dir, Classes: []int{7, 30}}, func(_ context.Context, key string) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return days[key], nil
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, key := range []string{"short", "long"} {
		require.NoError(t, b.Write(t.Context(), search.IndexName(key, now, days[key]), []search.Doc{doc(key+"-1", now, "")}))
	}
	require.DirExists(t, filepath.Join(dir, "7d"))
	require.DirExists(t, filepath.Join(dir, "30d"))
	_, classes, _ := b.tenants.lookup("long")
	require.Equal(t, []int{30}, classes)

	mu.Lock()
	days["long"] = 3
	mu.Unlock()
	require.NoError(t, b.Write(t.Context(), search.IndexName("long", now, 3), []search.Doc{doc("long-2", now.Add(time.Millisecond), "")}))
	_, classes, _ = b.tenants.lookup("long")
	require.Equal(t, []int{7, 30}, classes)
	require.EqualValues(t, 2, count(t, b, "long", "", now.Add(-time.Hour), now.Add(time.Hour)), "both classes searched")
	require.EqualValues(t, 1, count(t, b, "short", "", now.Add(-time.Hour), now.Add(time.Hour)))
}

// Writes of the same ids at once store each id once.
func TestConcurrentWritesOnce(t *testing.T) {
	b := open(t, t.TempDir())
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var docs []search.Doc
	for i := range 200 {
		docs = append(docs, doc("batch-"+strconv.Itoa(i), ts.Add(time.Duration(i)*time.Millisecond), ""))
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			part := docs[w*10 : w*10+120] // overlapping slices
			require.NoError(t, b.Write(context.Background(), search.IndexName("acme", ts, 7), part))
		})
	}
	wg.Wait()
	require.EqualValues(t, 190, count(t, b, "acme", "", ts, ts.Add(time.Hour)))
}

func TestEngineBudgetOnce(t *testing.T) {
	_, err := Open(Config{Dir: t.TempDir(), MemoryBytes: DefaultMemoryBytes + 1<<20}, suiteRetention)
	require.ErrorContains(t, err, "the engine's budget is set once per process")
}

// childDir makes the test binary a writer that a test kills (TestWriteDurableOnReturn).
const childDir = "TROLLY_VLOGS_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDir); dir != "" {
		writeUntilKilled(dir)
		return
	}
	os.Exit(m.Run())
}

// writeUntilKilled writes batches of 500 events, printing the count written after each
// Write returns, until it is killed.
func writeUntilKilled(dir string) {
	b, err := Open(Config{Dir: dir, Classes: []int{36500}}, suiteRetention)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	ts := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for n := 0; ; {
		var docs []search.Doc
		for range 500 {
			docs = append(docs, doc("e-"+strconv.Itoa(n), ts.Add(time.Duration(n)*time.Millisecond), ""))
			n++
		}
		if err := b.Write(context.Background(), search.IndexName("acme", ts, 7), docs); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Println("written", n)
	}
}

// What Write returned for is found after a kill -9.
func TestWriteDurableOnReturn(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDir+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	lines := bufio.NewScanner(out)
	written := 0
	for lines.Scan() && written < 5000 {
		_, err := fmt.Sscanf(lines.Text(), "written %d", &written)
		require.NoError(t, err, lines.Text())
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	require.GreaterOrEqual(t, written, 5000)

	b := open(t, dir)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	ts := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	got := count(t, b, "acme", "", ts, ts.Add(24*time.Hour))
	require.GreaterOrEqual(t, got, int64(written), "every event of a Write that returned")
	t.Logf("%d events written when killed, %d found after", written, got)
}

// Events of the same time come in one order, the same on every search and after a restart.
func TestSameTimeOrder(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir)
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var docs []search.Doc
	for i := range 300 {
		docs = append(docs, doc("same-"+strconv.Itoa(i), ts, ""))
	}
	for chunk := range slices.Chunk(docs, 70) {
		require.NoError(t, b.Write(t.Context(), search.IndexName("acme", ts, 7), chunk))
	}
	hits := func(b *Backend) []string {
		res, err := b.Search(t.Context(), search.Request{Tenant: "acme", From: ts, To: ts.Add(time.Second), Limit: 300})
		require.NoError(t, err)
		ids := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		return ids
	}
	first := hits(b)
	require.Len(t, first, 300)
	// The engine's order of ids: natural, digit runs by value (same-99 before same-100).
	require.True(t, slices.IsSortedFunc(first, func(a, b string) int { return compareEngine(b, a) }), "ids descending")
	require.Equal(t, []string{"same-299", "same-298"}, first[:2])
	require.Equal(t, "same-0", first[299])
	require.Equal(t, first, hits(b))
	require.NoError(t, b.Close())
	b = open(t, dir)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	require.Equal(t, first, hits(b), "after a restart")
}

// TestHitsOfABusyRange checks the narrowing of hits to a window (buckets.window) on events
// spread unevenly over a day: bursts at one instant, quiet hours, a word of some events.
// Every limit and order returns exactly the first hits a full sort gives, and paging
// returns every event once.
func TestHitsOfABusyRange(t *testing.T) {
	b := open(t, t.TempDir())
	defer b.Close()
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var docs []search.Doc
	var all []search.Hit // what a full sort returns, oldest first
	add := func(i int, ts time.Time) {
		id := fmt.Sprintf("e-%d", i)
		word := "quiet"
		if i%7 == 0 {
			word = "marker"
		}
		src := fmt.Sprintf(`{"@timestamp":%q,"message":"event %d %s","event":{"id":%q}}`, ts.Format(time.RFC3339Nano), i, word, id)
		docs = append(docs, search.Doc{ID: id, Timestamp: ts, Source: []byte(src)})
		all = append(all, search.Hit{ID: id, Timestamp: ts})
	}
	i := 0
	for h := range 24 {
		n := 5
		if h == 3 || h == 23 {
			n = 400 // bursts
		}
		for k := range n {
			ts := day.Add(time.Duration(h) * time.Hour)
			if h != 23 {
				ts = ts.Add(time.Duration(k) * time.Second)
			}
			add(i, ts) // hour 23: all at one instant
			i++
		}
	}
	require.NoError(t, b.Write(t.Context(), search.IndexName("acme", day, 7), docs))
	slices.SortStableFunc(all, func(x, y search.Hit) int {
		return cmp.Or(x.Timestamp.Compare(y.Timestamp), compareEngine(x.ID, y.ID))
	})
	for _, q := range []string{"", "marker"} {
		n, err := query.Parse(q)
		require.NoError(t, err)
		var want []string
		for _, h := range all {
			if q == "" || mustAtoi(t, h.ID[2:])%7 == 0 {
				want = append(want, h.ID)
			}
		}
		for _, order := range []search.Order{search.Newest, search.Oldest} {
			ordered := slices.Clone(want)
			if order == search.Newest {
				slices.Reverse(ordered)
			}
			for _, limit := range []int{1, 7, 100, len(want) - 1, len(want), len(want) + 5} {
				req := search.Request{Tenant: "acme", Query: n, From: day, To: day.Add(24 * time.Hour), Limit: limit, Order: order}
				res, err := b.Search(t.Context(), req)
				require.NoError(t, err)
				require.Equal(t, ordered[:min(limit, len(ordered))], hitIDs(res.Hits), "q %q order %v limit %d", q, order, limit)
				var paged []string
				for page := 0; page < len(want)+2; page++ {
					paged = append(paged, hitIDs(res.Hits)...)
					if res.Next == nil {
						break
					}
					req.Cursor = res.Next
					res, err = b.Search(t.Context(), req)
					require.NoError(t, err)
				}
				require.Equal(t, ordered, paged, "q %q order %v pages of %d", q, order, limit)
			}
		}
	}
}

func hitIDs(hits []search.Hit) []string {
	ids := []string{}
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func mustAtoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
