package syslog

import (
	"testing"
	"time"

	"github.com/trolly-logs/trolly/internal/corpustest"
)

func corpus(b *testing.B, name string) [][]byte {
	b.Helper()
	return corpustest.Lines(b, name)
}

func benchLines(b *testing.B, lines [][]byte) {
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	var m Message
	b.ReportAllocs()
	b.SetBytes(size / int64(len(lines)))
	n := 0
	for b.Loop() {
		if err := Parse(lines[n%len(lines)], &m, time.UTC, ref); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkParseOpenSSH(b *testing.B) { benchLines(b, corpus(b, "openssh_2k.log")) }

func BenchmarkParseLinux(b *testing.B) { benchLines(b, corpus(b, "linux_2k.log")) }

func BenchmarkParse5424(b *testing.B) {
	benchLines(b, [][]byte{
		[]byte(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...`),
		[]byte("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8"),
	})
}
