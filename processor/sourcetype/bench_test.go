package sourcetype

import (
	"testing"

	"github.com/trolly-logs/trolly/processor/ecs"
	"github.com/trolly-logs/trolly/processor/internal/accessgen"
)

func BenchmarkParseNginxAccess(b *testing.B) {
	lines := accessgen.Lines(1000, 1)
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	p := AccessParser{Name: NginxAccess}
	var d ecs.Document
	b.ReportAllocs()
	b.SetBytes(size / int64(len(lines)))
	n := 0
	for b.Loop() {
		d.Reset()
		if err := p.Parse(lines[n%len(lines)], &d, &Env{}); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}
