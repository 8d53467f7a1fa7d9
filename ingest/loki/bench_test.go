package loki

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// benchPush is 1,000 entries in 10 streams of 5 labels, as Promtail batches them; every
// other line is a JSON log, which the JSON form escapes.
func benchPush() (jsonBody, protoBody []byte, entries int) {
	var js strings.Builder
	js.WriteString(`{"streams":[`)
	var streams []pbStream
	for s := range 10 {
		labels := fmt.Sprintf(`{app="checkout", env="prod", host="web-%d", job="varlogs", level="info"}`, s)
		st := pbStream{labels: labels}
		if s > 0 {
			js.WriteByte(',')
		}
		fmt.Fprintf(&js, `{"stream":{"app":"checkout","env":"prod","host":"web-%d","job":"varlogs","level":"info"},"values":[`, s)
		for i := range 100 {
			line := fmt.Sprintf(`10.0.%d.%d - - [21/Nov/2026:10:15:00 +0100] "GET /item/%d HTTP/1.1" 200 512 "-" "curl/8.5.0"`, s, i, i)
			if i%2 == 1 {
				line = fmt.Sprintf(`{"level":"info","msg":"order %d shipped","trace_id":"%016x"}`, i, i*7919)
			}
			ts := int64(1714557600_000000000 + s*1000 + i)
			st.entries = append(st.entries, pbEntry{sec: ts / 1e9, nanos: ts % 1e9, line: line})
			if i > 0 {
				js.WriteByte(',')
			}
			fmt.Fprintf(&js, `[%q,%s]`, strconv.FormatInt(ts, 10), quoteJSON([]byte(line)))
		}
		js.WriteString(`]}`)
		streams = append(streams, st)
	}
	js.WriteString(`]}`)
	return []byte(js.String()), snappyPush(streams...), 1000
}

func BenchmarkDecode(b *testing.B) {
	jsonBody, protoBody, entries := benchPush()
	lim := Limits{MaxLineBytes: 256 << 10, MaxRecords: 10000, MaxBodyBytes: 64 << 20}
	for _, bc := range []struct {
		name, contentType string
		body              []byte
	}{
		{"json", "application/json", jsonBody},
		{"protobuf", "application/x-protobuf", protoBody},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				req, err := Decode(bc.contentType, bc.body, lim)
				if err != nil || len(req.Records) != entries {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(entries*b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
