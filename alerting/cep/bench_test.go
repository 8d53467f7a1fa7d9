package cep

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
)

// BenchmarkEngine evaluates access and authentication events against 1,000 rules of one
// mix, and reports events/s (on one goroutine: per core) and the p50 and p99 of the time
// one event takes.
func BenchmarkEngine(b *testing.B) {
	mixes := map[string]func(i int) string{
		// every rule names its own event.code
		"disjoint": func(i int) string {
			return fmt.Sprintf("name: r%d\nkind: match\nwhere: 'event.code:%d'\n", i, i)
		},
		// rules share terms: an outcome, one of 50 hosts, and a status range that few
		// events reach
		"overlapping": func(i int) string {
			return fmt.Sprintf("name: r%d\nkind: match\nwhere: 'event.outcome:failure AND host.name:h%d AND http.response.status_code >= %d'\n", i, i%50, 590+i%10)
		},
		"thresholds": func(i int) string {
			return fmt.Sprintf("name: r%d\nkind: threshold\nwhere: 'event.code:%d AND event.outcome:failure'\nby: [source.ip]\nwindow: 5m\nwhen: count >= 50\n", i%100, i)
		},
		"sequences": func(i int) string {
			return fmt.Sprintf("name: r%d\nkind: sequence\nby: [user.name]\nwithin: 10m\nsteps: [{where: 'event.code:%d', times: 3}, {where: 'event.code:%d'}]\n", i, i, (i+1)%1000)
		},
	}
	for _, name := range []string{"disjoint", "overlapping", "thresholds", "sequences"} {
		b.Run(name, func(b *testing.B) {
			var rules []Rule
			for i := range 1000 {
				rules = append(rules, compiledB(b, fmt.Sprint("r", i), mixes[name](i)))
			}
			evs := benchEvents(b, 4096)
			e := New(Config{}, rules, t0)
			lat := make([]time.Duration, 0, 1<<20)
			n := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				ev := evs[n%len(evs)]
				ev.Time = t0.Add(time.Duration(n) * time.Millisecond)
				ev.Arrival = ev.Time
				start := time.Now()
				e.Process(ev)
				if len(lat) < cap(lat) {
					lat = append(lat, time.Since(start))
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
				b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
			}
		})
	}
}

// BenchmarkStateMemory holds 100,000 groups of a threshold rule (one window each) and of a
// sequence rule (a partial match each), and reports the heap they take per 100,000.
func BenchmarkStateMemory(b *testing.B) {
	for _, tc := range []struct{ name, rule string }{
		{"threshold", "name: t\nkind: threshold\nwhere: 'event.outcome:failure'\nby: [source.ip]\nwindow: 1h\nwhen: count >= 1000\n"},
		{"sequence", "name: s\nkind: sequence\nby: [source.ip]\nwithin: 1h\nsteps: [{where: 'event.outcome:failure', times: 1000}, {where: 'event.outcome:success'}]\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				e := New(Config{MaxGroups: 200_000}, []Rule{compiledB(b, "r", tc.rule)}, t0)
				for i := range 100_000 {
					var d ecs.Document
					if err := d.MergeJSON(fmt.Appendf(nil, `{"event":{"outcome":"failure"},"source":{"ip":"10.%d.%d.%d"}}`, i>>16, i>>8&255, i&255)); err != nil {
						b.Fatal(err)
					}
					e.Process(Event{ID: fmt.Sprint("e", i), Time: t0, Arrival: t0, Fields: &d})
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB/100k-groups")
				runtime.KeepAlive(e)
			}
		})
	}
}

func compiledB(b *testing.B, id, yaml string) Rule {
	b.Helper()
	var t testing.T
	r := compiled(&t, id, yaml)
	if t.Failed() {
		b.Fatalf("rule %s does not compile", id)
	}
	return r
}

// benchEvents are authentication and access events over 1,000 codes, 50 hosts, 200
// addresses and 100 users.
func benchEvents(b *testing.B, n int) []Event {
	rng := rand.New(rand.NewPCG(1, 2))
	evs := make([]Event, n)
	for i := range evs {
		outcome := "success"
		if rng.IntN(3) > 0 {
			outcome = "failure"
		}
		doc := fmt.Sprintf(`{"message":"GET /api/v1/items/%d HTTP/1.1","event":{"code":"%d","outcome":%q},"host":{"name":"h%d"},`+
			`"source":{"ip":"10.0.0.%d"},"user":{"name":"u%d"},"http":{"response":{"status_code":%d}}}`,
			i, rng.IntN(1000), outcome, rng.IntN(50), rng.IntN(200), rng.IntN(100), 200+rng.IntN(400))
		var d ecs.Document
		if err := d.MergeJSON([]byte(doc)); err != nil {
			b.Fatal(err)
		}
		evs[i] = Event{ID: fmt.Sprint("e", i), Fields: &d}
	}
	return evs
}
