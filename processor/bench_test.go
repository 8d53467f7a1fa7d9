package processor

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/processor/internal/accessgen"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// benchBatch processes b over and over with one Transformer and reports records/s.
func benchBatch(b *testing.B, batch *trollyv1.RawBatch) {
	var size int64
	for _, r := range batch.GetRecords() {
		size += int64(len(r.GetData()))
	}
	tr := NewTransformer(nil)
	b.ReportAllocs()
	b.SetBytes(size)
	n := 0
	for b.Loop() {
		if _, _, err := tr.Process(batch); err != nil {
			b.Fatal(err)
		}
		n += len(batch.GetRecords())
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkProcessBatch(b *testing.B) {
	benchBatch(b, newBatch("nginx_access", text, accessgen.Lines(1000, 1)...))
}

func BenchmarkProcessCorpus(b *testing.B) {
	var lines [][]byte
	for _, ls := range corpusLines(b) {
		lines = append(lines, ls...)
	}
	benchBatch(b, newBatch("text", text, lines...))
}

func BenchmarkProcessJSON(b *testing.B) {
	var lines [][]byte
	for i, l := range accessgen.Lines(1000, 2) {
		line, err := json.Marshal(map[string]any{
			"@timestamp":                time.UnixMilli(1714557600000 + int64(i)).UTC().Format(time.RFC3339Nano),
			"log.level":                 "info",
			"service":                   map[string]any{"name": "web", "version": "1.4.2"},
			"http.response.status_code": 200,
			"message":                   string(l),
			"labels":                    map[string]any{"env": "prod", "zone": "b"},
			"tags":                      []string{"edge", "eu"},
		})
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, line)
	}
	benchBatch(b, newBatch("json", text, lines...))
}
