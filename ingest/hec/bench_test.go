package hec

import (
	"fmt"
	"strings"
	"testing"
)

const benchEvents = 1000

func benchBody(line func(i int) string) []byte {
	var b strings.Builder
	for i := range benchEvents {
		b.WriteString(line(i))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func BenchmarkDecode(b *testing.B) {
	// As the OpenTelemetry exporter and Vector send them: metadata and fields on every event.
	text := benchBody(func(i int) string {
		return fmt.Sprintf(`{"time":1714557600.%03d,"host":"web-%d","source":"/var/log/nginx/access.log","sourcetype":"nginx:access","index":"web",`+
			`"event":"10.0.%d.%d - - [01/May/2024:10:00:00 +0000] \"GET /item/%d HTTP/1.1\" 200 512 \"-\" \"curl/8.5.0\"","fields":{"k8s.pod.name":"web-7d9f","env":"prod"}}`,
			i%1000, i%4, i/250, i%250, i)
	})
	// As Fluent Bit sends them: a time and the record as an object.
	object := benchBody(func(i int) string {
		return fmt.Sprintf(`{"time":1714557600.%03d,"event":{"log":"order %d shipped","level":"info","order":{"id":%d,"items":[1,2,3]}}}`, i%1000, i, i)
	})
	raw := benchBody(func(i int) string {
		return fmt.Sprintf(`10.0.%d.%d - - [01/May/2024:10:00:00 +0000] "GET /item/%d HTTP/1.1" 200 512 "-" "curl/8.5.0"`, i/250, i%250, i)
	})
	p := Params{Host: "edge", Sourcetype: "access_combined"}
	lim := Limits{MaxLineBytes: 1 << 20, MaxRecords: 1 << 20}
	for _, bc := range []struct {
		name   string
		body   []byte
		decode func([]byte, Params, Limits) (*Request, error)
	}{
		{"event/text", text, DecodeEvents},
		{"event/object", object, DecodeEvents},
		{"raw", raw, DecodeRaw},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if _, err := bc.decode(bc.body, p, lim); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
