package sqlite

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

// noisyLoad is the load of BenchmarkNoisyNeighbour: acme's slow prefix query, eight at
// once, and demo's ordinary search.
const (
	noisyQueries = 8
	noisySlow    = "user_agent.original:Moz*"
	noisyQuiet   = "curl"
	// noisyEvery paces demo's searches, as a person's, so that the load lasts long
	// enough for acme's queries to end.
	noisyEvery = 500 * time.Millisecond
)

// BenchmarkNoisyNeighbour measures demo's search latency while acme runs eight slow
// prefix queries at once, side by side: alone (no acme load), before (every search runs
// at once, unbounded in time) and after (the search gate of the process and the plan's
// query_timeout, as the API applies them). Its index is small enough for a shared
// machine: TROLLY_BENCH_NOISY_DOCS acme events (default 1,000,000), and 100,000 of demo.
// TROLLY_BENCH_NOISY_TIMEOUT replaces the plan's default query_timeout (30s), to see
// acme's queries stopped.
//
//	go test -run '^$' -bench NoisyNeighbour -benchtime 20x ./search/sqlite/
func BenchmarkNoisyNeighbour(b *testing.B) {
	docs := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("TROLLY_BENCH_NOISY_DOCS")); err == nil && v > 0 {
		docs = v
	}
	timeout := tenant.DefaultLimits.QueryTimeout
	if v, err := time.ParseDuration(os.Getenv("TROLLY_BENCH_NOISY_TIMEOUT")); err == nil && v > 0 {
		timeout = v
	}
	backend, err := Open(Config{Dir: b.TempDir()}, nil, nil)
	require.NoError(b, err)
	defer backend.Close()
	writeTenant(b, backend, "acme", docs)
	writeTenant(b, backend, "demo", 100_000)
	request := func(tenantID, q string) search.Request {
		return search.Request{Tenant: tenantID, Query: mustParse(b, q), From: day, To: day.AddDate(0, 0, 1), Limit: 100}
	}

	for _, mode := range []string{"alone", "before", "after"} {
		b.Run(mode, func(b *testing.B) {
			run := func(ctx context.Context, req search.Request) error {
				_, err := backend.Search(ctx, req)
				return err
			}
			if mode == "after" {
				gate, err := search.NewGate(search.GateConfig{}, nil)
				require.NoError(b, err)
				run = func(ctx context.Context, req search.Request) error {
					return searchGated(ctx, backend, gate, req, timeout)
				}
			}
			var load noisyStats
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			var alone time.Duration
			if mode == "alone" { // one of acme's queries, unbounded, for scale
				began := time.Now()
				require.NoError(b, run(context.Background(), request("acme", noisySlow)))
				alone = time.Since(began)
			} else {
				for range noisyQueries {
					wg.Go(func() { load.loop(ctx, run, request("acme", noisySlow)) })
				}
				time.Sleep(time.Second) // let acme's queries take the cores first
			}
			b.ResetTimer()
			lat := make([]time.Duration, 0, b.N)
			start := time.Now()
			for i := range b.N {
				b.StopTimer()
				time.Sleep(time.Until(start.Add(time.Duration(i) * noisyEvery)))
				b.StartTimer()
				began := time.Now()
				if err := run(context.Background(), request("demo", noisyQuiet)); err != nil {
					b.Fatalf("demo's search: %v", err)
				}
				lat = append(lat, time.Since(began))
			}
			stop()
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "demo-p50-ms")
			b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "demo-p90-ms")
			if alone > 0 {
				b.ReportMetric(alone.Seconds(), "acme-alone-s")
			}
			load.report(b)
		})
	}
}

// searchGated runs a search as the API does: a slot of the gate, then the search, both
// within the plan's timeout.
func searchGated(ctx context.Context, backend search.Backend, gate *search.Gate, req search.Request, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	release, err := gate.Acquire(ctx, req.Tenant)
	if err != nil {
		return err
	}
	defer release()
	_, err = backend.Search(ctx, req)
	return err
}

// noisyStats counts how acme's queries ended.
type noisyStats struct {
	done, timedOut, refused atomic.Int64
	mu                      sync.Mutex
	durations               []time.Duration
}

// loop runs req until ctx ends, as a client would: again at once after an answer, a
// second later after a refusal.
func (s *noisyStats) loop(ctx context.Context, run func(context.Context, search.Request) error, req search.Request) {
	for ctx.Err() == nil {
		began := time.Now()
		err := run(ctx, req)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, search.ErrBusy):
			s.refused.Add(1)
			time.Sleep(time.Second)
			continue
		case errors.Is(err, context.DeadlineExceeded):
			s.timedOut.Add(1)
		case err != nil:
			return
		default:
			s.done.Add(1)
		}
		s.mu.Lock()
		s.durations = append(s.durations, time.Since(began))
		s.mu.Unlock()
	}
}

func (s *noisyStats) report(b *testing.B) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.durations) > 0 {
		slices.Sort(s.durations)
		b.ReportMetric(s.durations[len(s.durations)/2].Seconds(), "acme-p50-s")
	}
	b.ReportMetric(float64(s.done.Load()), "acme-done")
	b.ReportMetric(float64(s.timedOut.Load()), "acme-timeouts")
	b.ReportMetric(float64(s.refused.Load()), "acme-refused")
}

// writeTenant gives a tenant n generated access events over one day, in its daily index.
func writeTenant(t testing.TB, b *Backend, tenantID string, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	step := 24 * time.Hour / time.Duration(n)
	for start := 0; start < n; start += benchBatch {
		docs := make([]search.Doc, 0, benchBatch)
		for seq := start; seq < min(start+benchBatch, n); seq++ {
			docs = append(docs, accessDoc(r, seq, day.Add(time.Duration(seq)*step)))
		}
		require.NoError(t, b.Write(context.Background(), search.IndexName(tenantID, day, 7), docs))
	}
}
