package vlogs

import (
	"fmt"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// accessDoc is an ECS document of an access line, as the processor makes them.
func accessDoc(i int, ts time.Time) search.Doc {
	id := fmt.Sprintf("01JEXAMPLEBATCH%08d-%d", i/1000, i%1000)
	src := fmt.Sprintf(`{"@timestamp":%q,"message":"10.0.%d.%d - - [07/Dec/2026:10:00:00 +0000] \"GET /api/v1/items/%d HTTP/1.1\" %d %d \"-\" \"curl/8.5.0\"",`+
		`"event":{"id":%q,"dataset":"nginx.access","ingested":%q},"organization":{"id":"acme"},"ecs":{"version":"8.11.0"},`+
		`"data_stream":{"type":"logs","dataset":"nginx.access","namespace":"web"},"source":{"ip":"10.0.%d.%d"},`+
		`"http":{"request":{"method":"GET"},"response":{"status_code":%d,"body":{"bytes":%d}},"version":"1.1"},`+
		`"url":{"original":"/api/v1/items/%d","path":"/api/v1/items/%d"},"user_agent":{"original":"curl/8.5.0"}}`,
		ts.Format(time.RFC3339Nano), i%256, i%199, i*7, 200+i%3*100, 512+i%4096, id, ts.Add(time.Second).Format(time.RFC3339Nano),
		i%256, i%199, 200+i%3*100, 512+i%4096, i*7, i*7)
	return search.Doc{ID: id, Timestamp: ts, Source: []byte(src)}
}

// BenchmarkWrite writes batches of 1000 access events, each Write waiting for its commit.
func BenchmarkWrite(b *testing.B) {
	be := open(b, b.TempDir())
	defer be.Close()
	ts := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	var docs []search.Doc
	bytes := 0
	n := 0
	b.ResetTimer()
	for b.Loop() {
		docs = docs[:0]
		for range batch {
			d := accessDoc(n, ts.Add(time.Duration(n)*time.Millisecond))
			bytes += len(d.Source)
			docs = append(docs, d)
			n++
		}
		if err := be.Write(b.Context(), search.IndexName("acme", ts, 7), docs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "docs/s")
	b.SetBytes(int64(bytes / max(b.N, 1)))
}

// BenchmarkSearch runs searches over 200,000 access events of one hour: the newest 100
// hits, a count, a rare word and a field range.
func BenchmarkSearch(b *testing.B) {
	be := open(b, b.TempDir())
	defer be.Close()
	ts := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	const total, batch = 200_000, 5000
	for start := 0; start < total; start += batch {
		docs := make([]search.Doc, 0, batch)
		for i := start; i < start+batch; i++ {
			docs = append(docs, accessDoc(i, ts.Add(time.Duration(i)*time.Hour/total)))
		}
		if err := be.Write(b.Context(), search.IndexName("acme", ts, 7), docs); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, q string
		limit   int
	}{
		{"newest", "", 100},
		{"count", "", 0},
		{"rare word", "items/7777", 100},
		{"range", "http.response.status_code >= 400", 100},
	} {
		n, err := query.Parse(tc.q)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				res, err := be.Search(b.Context(), search.Request{Tenant: "acme", Query: n, From: ts, To: ts.Add(time.Hour), Limit: tc.limit})
				if err != nil || res.Total == 0 {
					b.Fatal(res.Total, err)
				}
			}
		})
	}
}
