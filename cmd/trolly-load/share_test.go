package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	rpprof "runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"github.com/stretchr/testify/require"
)

func TestInPackages(t *testing.T) {
	nats, memory := queuePackages("nats"), queuePackages("memory")
	require.Equal(t, nats, queuePackages(""), "the default is the embedded NATS queue")
	for fn, want := range map[string]struct{ nats, memory bool }{
		"github.com/nats-io/nats-server/v2/server.(*fileStore).writeMsgRecordLocked": {true, false},
		"github.com/nats-io/nats%2ego.(*Conn).processMsg":                            {true, false},
		"github.com/nats-io/nats.go.(*Conn).processMsg":                              {true, false},
		"github.com/nats-io/nats%2ego/jetstream.(*pullConsumer).Fetch":               {true, false},
		"github.com/nats-io/nats-server-fake.Run":                                    {false, false},
		"github.com/nats-io/natsgo.Run":                                              {false, false},
		"github.com/nats-io/nuid.(*NUID).Next":                                       {false, false},
		"github.com/trolly-logs/trolly/queue.(*Delivery).Ack":                        {true, true},
		"github.com/trolly-logs/trolly/queue/nats.(*Queue).Publish":                  {true, false},
		"github.com/trolly-logs/trolly/queue/nats.(*Queue).trim.func1":               {true, false},
		"github.com/trolly-logs/trolly/queue/memory.(*topic).publish":                {false, true},
		"github.com/trolly-logs/trolly/queue/memoryx.F":                              {false, false},
		"github.com/trolly-logs/trolly/queue/rabbitmq.(*Queue).Publish":              {false, false},
		"github.com/trolly-logs/trolly/queuefoo.F":                                   {false, false},
		"github.com/trolly-logs/trolly/gateway.(*Server).ingest":                     {false, false},
		"runtime.gcBgMarkWorker":                                                     {false, false},
	} {
		require.Equal(t, want.nats, inPackages(fn, nats), "nats: %s", fn)
		require.Equal(t, want.memory, inPackages(fn, memory), "memory: %s", fn)
	}
}

// A profile made here: samples/count first and cpu/nanoseconds second, as the runtime
// writes them, with a queue function inlined into another frame in one sample.
func TestShareOfSynthetic(t *testing.T) {
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	publish := fn(1, "github.com/trolly-logs/trolly/queue/nats.(*Queue).Publish")
	ingest := fn(2, "github.com/trolly-logs/trolly/gateway.(*Server).ingest")
	write := fn(3, "github.com/nats-io/nats-server/v2/server.(*fileStore).writeMsgRecordLocked")
	parse := fn(4, "github.com/trolly-logs/trolly/processor.parse")
	syscall := fn(5, "syscall.Syscall")
	loc := func(id uint64, fns ...*profile.Function) *profile.Location {
		l := &profile.Location{ID: id}
		for _, f := range fns {
			l.Line = append(l.Line, profile.Line{Function: f})
		}
		return l
	}
	p := &profile.Profile{
		SampleType:    []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		DurationNanos: int64(2 * time.Second),
		Sample: []*profile.Sample{
			// A queue function deep in the stack, not the leaf.
			{Location: []*profile.Location{loc(1, syscall), loc(2, publish), loc(3, ingest)}, Value: []int64{3, 30}},
			// Inlined: the leaf location holds the queue function under another.
			{Location: []*profile.Location{loc(4, write, parse)}, Value: []int64{1, 10}},
			{Location: []*profile.Location{loc(5, parse), loc(6, ingest)}, Value: []int64{6, 60}},
			{Location: []*profile.Location{loc(7)}, Value: []int64{1, 100}}, // unsymbolised
		},
	}
	c := shareOf(p, func(fn string) bool { return inPackages(fn, queuePackages("nats")) })
	require.Equal(t, cpuShare{in: 40, all: 200, samples: 11, duration: 2 * time.Second}, c)
	require.Equal(t, 20.0, c.percent())

	var sum cpuShare
	sum.add(c)
	sum.add(c)
	require.Equal(t, cpuShare{in: 80, all: 400, samples: 22, duration: 4 * time.Second}, sum)
	require.Zero(t, cpuShare{}.percent())
}

// spin is the work; the burners differ only by name, so a share that looks at the leaf
// alone finds neither.
//
//go:noinline
func spin(n int) uint64 {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

//go:noinline
func burnQueue(n int) uint64 { return spin(n) }

//go:noinline
func burnOther(n int) uint64 { return spin(n) }

var sink atomic.Uint64

func isBurnQueue(fn string) bool { return strings.HasSuffix(fn, ".burnQueue") }

// A profile of this process while two goroutines do the same work, one under burnQueue:
// about half the samples have it in their stack.
func TestShareOfRealProfile(t *testing.T) {
	var buf bytes.Buffer
	if err := rpprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("a CPU profile is already running: %v", err)
	}
	var wg sync.WaitGroup
	for _, burn := range []func(int) uint64{burnQueue, burnOther} {
		wg.Go(func() {
			for range 10 {
				sink.Add(burn(20_000_000))
			}
		})
	}
	wg.Wait()
	rpprof.StopCPUProfile()
	p, err := profile.Parse(&buf)
	require.NoError(t, err)

	queue := shareOf(p, isBurnQueue)
	both := shareOf(p, func(fn string) bool { return isBurnQueue(fn) || strings.HasSuffix(fn, ".burnOther") })
	leaf := shareOf(p, func(fn string) bool { return strings.HasSuffix(fn, ".spin") })
	require.Greater(t, queue.samples, 20, "too few samples to judge")
	require.Positive(t, queue.in)
	require.Less(t, queue.in, both.in)
	require.LessOrEqual(t, both.in, both.all)
	require.InDelta(t, 0.5, float64(queue.in)/float64(both.in), 0.25, "equal work, equal CPU")
	require.InDelta(t, float64(both.in), float64(leaf.in), float64(both.in)/10, "the burners' CPU is spin's")
}

// The profiler fetches profiles of a second from the admin listener one after another
// until finish, and adds them up.
func TestProfiler(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(pprof.Profile))
	defer srv.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				sink.Add(burnQueue(1_000_000))
			}
		}
	})
	p := startProfiler(srv.URL, 1, isBurnQueue, false)
	time.Sleep(1500 * time.Millisecond) // into the second profile
	c := p.finish()
	close(stop)
	wg.Wait()
	if c.err != nil && strings.Contains(c.err.Error(), "already") {
		t.Skipf("a CPU profile is already running: %v", c.err)
	}
	require.NoError(t, c.err)
	require.GreaterOrEqual(t, c.duration, 2*time.Second, "two profiles of a second")
	require.Positive(t, c.in)
	require.LessOrEqual(t, c.in, c.all)
	require.Equal(t, c, p.finish(), "a second finish returns the same")
}

func TestProfilerError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c := startProfiler(srv.URL, 1, isBurnQueue, false).finish()
	require.ErrorContains(t, c.err, "404")
	require.Zero(t, c.all)
}
