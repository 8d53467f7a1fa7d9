package lines

import (
	"fmt"
	"strings"
	"testing"
)

func benchBody(n int, line func(i int) string) []byte {
	var b strings.Builder
	for i := range n {
		b.WriteString(line(i))
		b.WriteString("\r\n")
	}
	return []byte(b.String())
}

func BenchmarkDecode(b *testing.B) {
	text := benchBody(1000, func(i int) string {
		return fmt.Sprintf(`10.0.%d.%d - - [21/Nov/2026:10:15:00 +0100] "GET /item/%d HTTP/1.1" 200 512 "-" "curl/8.5.0"`, i/250, i%250, i)
	})
	ndjson := benchBody(1000, func(i int) string {
		return fmt.Sprintf(`{"@timestamp":"2026-11-21T09:20:00Z","message":"order %d shipped","order":{"id":%d,"items":[1,2,3]}}`, i, i)
	})
	for _, bc := range []struct {
		name   string
		body   []byte
		decode func([]byte, int) error
	}{
		{"text", text, func(b []byte, max int) error { _, err := Text(b, max); return err }},
		{"ndjson", ndjson, func(b []byte, max int) error { _, err := NDJSON(b, max); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if err := bc.decode(bc.body, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
