package multiline

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/internal/corpustest"
)

const benchLines = 10000

// plainLines are 10k lines without traces: the public syslog sample, or made-up lines
// when it is missing.
func plainLines(b *testing.B) [][]byte {
	b.Helper()
	data := corpustest.ReadFileOrNil(b, "linux_2k.log")
	if data == nil {
		var buf bytes.Buffer
		for i := range 2000 {
			fmt.Fprintf(&buf, "Jun 14 15:16:%02d combo sshd(pam_unix)[%d]: authentication failure; rhost=10.0.0.%d\n", i%60, 19000+i, i%250)
		}
		data = buf.Bytes()
	}
	return repeatLines(bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")))
}

// traceLines are 10k lines of the test's Java, Python and Go traces among normal lines.
func traceLines(b *testing.B) [][]byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "stack_traces.txt"))
	if err != nil {
		b.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("=====\n"), nil)
	return repeatLines(bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")))
}

func repeatLines(src [][]byte) [][]byte {
	lines := make([][]byte, 0, benchLines)
	for len(lines) < benchLines {
		lines = append(lines, src[:min(len(src), benchLines-len(lines))]...)
	}
	return lines
}

func size(lines [][]byte) int64 {
	var n int64
	for _, l := range lines {
		n += int64(len(l))
	}
	return n
}

func BenchmarkGroup(b *testing.B) {
	rules := []struct{ name, raw string }{
		{"stack_traces", `{"preset": "stack_traces"}`},
		{"start", `{"start": "^(?:\\d{4}-\\d\\d-\\d\\d |[A-Z][a-z]{2} [ \\d]\\d )"}`},
		{"continuation", `{"continuation": "^(\\s|at |Caused by:|\\.\\.\\.)"}`},
	}
	inputs := []struct {
		name  string
		lines func(*testing.B) [][]byte
	}{{"plain", plainLines}, {"traces", traceLines}}
	for _, in := range inputs {
		for _, rule := range rules {
			b.Run(in.name+"/"+rule.name, func(b *testing.B) {
				r := mustCompile(b, rule.raw)
				lines := in.lines(b)
				events := 0
				b.ReportAllocs()
				b.SetBytes(size(lines))
				for b.Loop() {
					r.Group(lines, func(int, int) { events++ })
				}
				b.ReportMetric(float64(len(lines)*b.N)/b.Elapsed().Seconds(), "lines/s")
				b.ReportMetric(float64(events)/float64(b.N), "events/op")
			})
		}
	}
}

func BenchmarkJoiner(b *testing.B) {
	inputs := []struct {
		name  string
		lines func(*testing.B) [][]byte
	}{{"plain", plainLines}, {"traces", traceLines}}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			r := mustCompile(b, `{"preset": "stack_traces"}`)
			lines := in.lines(b)
			now := time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)
			b.ReportAllocs()
			b.SetBytes(size(lines))
			for b.Loop() {
				j := NewJoiner(r)
				for _, l := range lines {
					j.Add(l, now)
				}
				j.Flush()
			}
			b.ReportMetric(float64(len(lines)*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
