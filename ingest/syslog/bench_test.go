package syslog

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/trolly-logs/trolly/internal/corpustest"
)

// messages returns n realistic RFC 5424 messages, as rsyslog's RFC 5424 template writes
// them with Trolly's auth element.
func messages5424(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, `<%d>1 2026-11-21T10:15:%02d.%06dZ web-%d.example.com nginx %d - [auth@32473 token="trk_8f14e45fceea167a5a36dedd4bea2543" stream="web"][meta sequenceId="%d"] 10.0.%d.%d - - "GET /item/%d HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
			134+i%8, i%60, i*37%1000000, i%16, 1000+i%5000, i, i/250%250, i%250, i)
	}
	return out
}

// corpusLines returns the lines of a public sample, or skips the benchmark without it.
func corpusLines(b *testing.B, name string) [][]byte {
	b.Helper()
	return corpustest.Lines(b, name)
}

func octetCounted(msgs [][]byte) []byte {
	var buf []byte
	for _, m := range msgs {
		buf = strconv.AppendInt(buf, int64(len(m)), 10)
		buf = append(buf, ' ')
		buf = append(buf, m...)
	}
	return buf
}

func lfFramed(msgs [][]byte, prefix string) []byte {
	var buf []byte
	for _, m := range msgs {
		buf = append(buf, prefix...)
		buf = append(buf, m...)
		buf = append(buf, '\n')
	}
	return buf
}

func BenchmarkReader(b *testing.B) {
	for _, bc := range []struct {
		name   string
		stream func(b *testing.B) ([]byte, int)
	}{
		{"octet-counted-5424", func(*testing.B) ([]byte, int) { return octetCounted(messages5424(1000)), 1000 }},
		{"lf-5424", func(*testing.B) ([]byte, int) { return lfFramed(messages5424(1000), ""), 1000 }},
		{"lf-3164-openssh", func(b *testing.B) ([]byte, int) {
			lines := corpusLines(b, "openssh_2k.log")
			return lfFramed(lines, "<38>"), len(lines)
		}},
		{"octet-counted-3164-linux", func(b *testing.B) ([]byte, int) {
			lines := corpusLines(b, "linux_2k.log")
			return octetCounted(lines), len(lines)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			stream, n := bc.stream(b)
			src := bytes.NewReader(stream)
			b.ReportAllocs()
			b.SetBytes(int64(len(stream)))
			for b.Loop() {
				src.Reset(stream)
				r := NewReader(src, 64<<10)
				got := 0
				for {
					if _, err := r.Next(); err != nil {
						break
					}
					got++
				}
				if got != n {
					b.Fatalf("%d messages, want %d", got, n)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "messages/s")
		})
	}
}

// BenchmarkAuth reads the token and strips it, as the gateway does for each message.
func BenchmarkAuth(b *testing.B) {
	msgs := messages5424(1000)
	var size int64
	for _, m := range msgs {
		size += int64(len(m))
	}
	var ar AuthReader
	dst := make([]byte, 0, 1024)
	b.ReportAllocs()
	b.SetBytes(size / int64(len(msgs)))
	i := 0
	for b.Loop() {
		m := msgs[i%len(msgs)]
		a := ar.Read(m)
		dst = a.AppendData(dst[:0], m)
		if a.Token == nil {
			b.Fatal("no token")
		}
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "messages/s")
}
