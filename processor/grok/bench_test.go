package grok

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/accessgen"
)

// appPattern is a custom pattern of ten captures for an application's log.
const appPattern = accessgen.AppPattern

func appLines(n int, seed uint64) [][]byte { return accessgen.AppLines(n, seed) }

func benchMatch(b *testing.B, p *Pattern, lines [][]byte) {
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	var d ecs.Document
	ref := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	b.ReportAllocs()
	b.SetBytes(size / int64(len(lines)))
	n := 0
	for b.Loop() {
		d.Reset()
		ok, err := p.Match(lines[n%len(lines)], &d, time.UTC, ref)
		if !ok || err != nil {
			b.Fatalf("line %q: matched %v, %v", lines[n%len(lines)], ok, err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkMatchCustom10(b *testing.B) {
	p, err := Compile(appPattern, nil)
	if err != nil {
		b.Fatal(err)
	}
	benchMatch(b, p, appLines(1000, 1))
}

func BenchmarkMatchCombinedApacheLog(b *testing.B) {
	p, err := Compile(`^%{COMBINEDAPACHELOG}`, nil)
	if err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	for _, l := range accessgen.Lines(1100, 1) {
		if bytes.Count(l, []byte{'"'}) >= 6 { // the combined format, not the common one
			lines = append(lines, l)
		}
	}
	benchMatch(b, p, lines)
}

// BenchmarkRegexpBaseline runs Go's regexp on the same expanded patterns, finding the
// captures only, as the measure the engine is compared with.
func BenchmarkRegexpBaseline(b *testing.B) {
	for _, bench := range []struct {
		name, pattern string
		lines         [][]byte
	}{
		{"Custom10", appPattern, appLines(1000, 1)},
		{"CombinedApacheLog", `^%{COMBINEDAPACHELOG}`, accessgen.Lines(1000, 1)},
	} {
		b.Run(bench.name, func(b *testing.B) {
			p, err := Compile(bench.pattern, nil)
			if err != nil {
				b.Fatal(err)
			}
			re := regexp.MustCompile(p.Expanded())
			var size int64
			for _, l := range bench.lines {
				size += int64(len(l))
			}
			b.ReportAllocs()
			b.SetBytes(size / int64(len(bench.lines)))
			n := 0
			for b.Loop() {
				re.FindSubmatchIndex(bench.lines[n%len(bench.lines)])
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkCompile compiles the library's largest pattern, as saving a stream does.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(`^%{COMBINEDAPACHELOG}`, nil); err != nil {
			b.Fatal(err)
		}
	}
}
