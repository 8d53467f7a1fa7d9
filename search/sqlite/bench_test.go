package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

const benchBatch = 1000

var (
	benchPaths  = []string{"/", "/index.html", "/api/orders", "/api/cart", "/login", "/static/app.js", "/static/site.css", "/healthz", "/product/4711", "/search"}
	benchAgents = []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
		"kube-probe/1.29", "curl/8.5.0", "Go-http-client/1.1",
	}
	benchStatus = []int{200, 200, 200, 200, 200, 200, 304, 301, 404, 500}
)

// accessDoc is an nginx access line as the processor maps it to ECS.
func accessDoc(r *rand.Rand, seq int, ts time.Time) search.Doc {
	ip := fmt.Sprintf("%d.%d.%d.%d", 10+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	method := "GET"
	if r.IntN(10) == 0 {
		method = "POST"
	}
	path, agent, status := benchPaths[r.IntN(len(benchPaths))], benchAgents[r.IntN(len(benchAgents))], benchStatus[r.IntN(len(benchStatus))]
	size := r.IntN(50000)
	line := fmt.Sprintf(`%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`, ip, ts.Format("02/Jan/2006:15:04:05 -0700"), method, path, status, size, agent)
	id := fmt.Sprintf("01HN8ZBENCH%08d", seq)
	src := fmt.Appendf(nil, `{"@timestamp":%q,"message":%q,"event":{"id":%q,"dataset":"nginx.access","ingested":%q},`+
		`"organization":{"id":"acme"},"data_stream":{"type":"logs","dataset":"nginx.access","namespace":"default"},"ecs":{"version":"8.11.0"},`+
		`"host":{"name":"web-%02d"},"source":{"ip":%q},"http":{"version":"1.1","request":{"method":%q},"response":{"status_code":%d,"body":{"bytes":%d}}},`+
		`"url":{"path":%q,"original":%q},"user_agent":{"original":%q}}`,
		ts.Format(time.RFC3339Nano), line, id, ts.Add(time.Second).Format(time.RFC3339Nano),
		1+r.IntN(8), ip, method, status, size, path, path, agent)
	return search.Doc{ID: id, Timestamp: ts, Source: src}
}

// corpusDoc wraps a line of the public samples, for text that is not synthetic.
func corpusDoc(line string, seq int, ts time.Time) search.Doc {
	id := fmt.Sprintf("01HN8ZCORPUS%08d", seq)
	src := fmt.Appendf(nil, `{"@timestamp":%q,"message":%q,"event":{"id":%q,"dataset":"apache.error"},"organization":{"id":"acme"},"host":{"name":"web-01"}}`,
		ts.Format(time.RFC3339Nano), line, id)
	return search.Doc{ID: id, Timestamp: ts, Source: src}
}

func corpusLines(b *testing.B) []string {
	f, err := os.Open(filepath.Join(corpustest.Require(b), "apache_2k.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	require.NoError(b, sc.Err())
	return lines
}

func BenchmarkWrite(b *testing.B) {
	day := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	gens := map[string]func(b *testing.B) func(seq int) search.Doc{
		"access": func(*testing.B) func(int) search.Doc {
			r := rand.New(rand.NewPCG(1, 2))
			return func(seq int) search.Doc { return accessDoc(r, seq, day.Add(time.Duration(seq)*time.Millisecond)) }
		},
		"corpus": func(b *testing.B) func(int) search.Doc {
			lines := corpusLines(b)
			return func(seq int) search.Doc {
				return corpusDoc(lines[seq%len(lines)], seq, day.Add(time.Duration(seq)*time.Millisecond))
			}
		},
	}
	for _, name := range []string{"access", "corpus"} {
		b.Run(name, func(b *testing.B) {
			gen := gens[name](b)
			backend := open(b, b.TempDir())
			defer backend.Close()
			batch := make([]search.Doc, benchBatch)
			seq := 0
			prepare := func() (bytes int64) {
				for i := range batch {
					batch[i] = gen(seq)
					seq++
					bytes += int64(len(batch[i].Source))
				}
				return bytes
			}
			b.SetBytes(prepare())
			b.ReportAllocs()
			n := 0
			var cpu time.Duration
			for b.Loop() {
				if n > 0 { // a new batch each time, prepared outside the measured time
					b.StopTimer()
					prepare()
					b.StartTimer()
				}
				before := cpuTime()
				if err := backend.Write(context.Background(), "trolly-acme-2024.01.31", batch); err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - before
				n++
			}
			b.ReportMetric(float64(n*benchBatch)/b.Elapsed().Seconds(), "docs/s")
			reportCPU(b, n*benchBatch, cpu, "docs/cpu-s")
		})
	}
}

func BenchmarkSearch(b *testing.B) {
	const docs = 100_000
	day := time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC)
	backend, err := Open(Config{Dir: b.TempDir()}, nil, nil)
	require.NoError(b, err)
	defer backend.Close()
	r := rand.New(rand.NewPCG(1, 2))
	step := 2 * 24 * time.Hour / docs // two daily indices
	for start := 0; start < docs; start += benchBatch {
		byIndex := map[string][]search.Doc{}
		for seq := start; seq < start+benchBatch; seq++ {
			d := accessDoc(r, seq, day.Add(time.Duration(seq)*step))
			name := search.IndexName("acme", d.Timestamp, 7)
			byIndex[name] = append(byIndex[name], d)
		}
		for name, ds := range byIndex {
			require.NoError(b, backend.Write(context.Background(), name, ds))
		}
	}
	for _, q := range []struct{ name, q string }{
		{"word rare", "curl"},
		{"word common", "get"},
		{"phrase", `"kube-probe"`},
		{"field", "http.response.status_code:404"},
		{"field and word", "http.response.status_code:500 api"},
	} {
		b.Run(q.name, func(b *testing.B) {
			node, err := query.Parse(q.q)
			require.NoError(b, err)
			req := search.Request{Tenant: "acme", Query: node, From: day, To: day.AddDate(0, 0, 2), Limit: 100}
			b.ReportAllocs()
			var total int64
			n := 0
			before := cpuTime()
			for b.Loop() {
				res, err := backend.Search(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "queries/s")
			reportCPU(b, n, cpuTime()-before, "queries/cpu-s")
			b.ReportMetric(float64(total), "matches")
		})
	}
}

func reportCPU(b *testing.B, n int, cpu time.Duration, unit string) {
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), unit)
	}
}
