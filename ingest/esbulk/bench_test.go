package esbulk

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func benchBody(n int) []byte {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "{\"create\":{\"_index\":\"filebeat-8.19.0\"}}\n"+
			"{\"@timestamp\":\"2026-11-21T09:20:00.000Z\",\"message\":\"10.0.%d.%d - - [21/Nov/2026:10:15:00 +0100] \\\"GET /item/%d HTTP/1.1\\\" 200 512\",\"host\":{\"name\":\"web-1\"},\"log\":{\"file\":{\"path\":\"/var/log/nginx/access.log\"},\"offset\":%d}}\n",
			i/250, i%250, i, i*120)
	}
	return []byte(b.String())
}

func BenchmarkDecode(b *testing.B) {
	const n = 1000
	body := benchBody(n)
	lim := Limits{MaxLineBytes: 1 << 20, MaxRecords: 10000}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(body, "", lim); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkResponse(b *testing.B) {
	const n = 1000
	req, err := Decode(benchBody(n), "", Limits{})
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 256*n)
	b.ReportAllocs()
	for b.Loop() {
		buf = req.AppendResponse(buf[:0], time.Millisecond)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "items/s")
}
