package processor

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/processor/internal/accessgen"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// benchBatch processes b over and over with one Transformer and reports records/s. The
// samples are years old: no bound on times, so that they are read rather than clamped.
func benchBatch(b *testing.B, batch *trollyv1.RawBatch) {
	st, err := CompileStream(nil, batch.GetSourceType(), json.RawMessage(`{"timestamp":{"max_past":"0"}}`))
	if err != nil {
		b.Fatal(err)
	}
	benchStream(b, batch, st)
}

func benchStream(b *testing.B, batch *trollyv1.RawBatch, st *Stream) {
	var size int64
	for _, r := range batch.GetRecords() {
		size += int64(len(r.GetData()))
	}
	tr := NewTransformer(nil)
	b.ReportAllocs()
	b.SetBytes(size)
	n := 0
	for b.Loop() {
		out, st, err := tr.ProcessStream(batch, st)
		if err != nil {
			b.Fatal(err)
		}
		if st.ParseFailures > 0 {
			b.Fatalf("%d parse failures, such as %s", st.ParseFailures, failed(out))
		}
		n += len(batch.GetRecords())
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

// failed returns the first event tagged _parse_failure.
func failed(out *trollyv1.EventBatch) string {
	for _, ev := range out.GetEvents() {
		if bytes.Contains(ev.GetSource(), []byte(TagParseFailure)) {
			return string(ev.GetSource())
		}
	}
	return ""
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

// BenchmarkProcessGrok parses an application's log with a stream's own pattern of ten
// captures, to ECS JSON.
func BenchmarkProcessGrok(b *testing.B) {
	settings, err := json.Marshal(map[string]any{"patterns": []string{accessgen.AppPattern}})
	if err != nil {
		b.Fatal(err)
	}
	st, err := CompileStream(nil, "text", settings)
	if err != nil {
		b.Fatal(err)
	}
	benchStream(b, newBatch("text", text, accessgen.AppLines(1000, 1)...), st)
}

// BenchmarkProcessSourceTypes runs each public sample under its source type, and under
// auto.
func BenchmarkProcessSourceTypes(b *testing.B) {
	corpus := corpusLines(b)
	for _, c := range []struct{ file, sourceType string }{
		{"linux_2k.log", "syslog"}, {"openssh_2k.log", "sshd"}, {"apache_2k.log", "apache_error"},
		{"linux_2k.log", "auto"}, {"openssh_2k.log", "auto"},
	} {
		b.Run(c.sourceType+"/"+c.file, func(b *testing.B) {
			benchBatch(b, newBatch(c.sourceType, text, corpus[c.file]...))
		})
	}
}
