package sourcetype

import (
	"testing"

	"github.com/trolly-logs/trolly/internal/corpustest"
	"github.com/trolly-logs/trolly/processor/ecs"
)

func corpusFile(b *testing.B, name string) [][]byte {
	b.Helper()
	return corpustest.Lines(b, name)
}

// benchParser parses the lines in turn, as the processor does: one document, reset per line.
func benchSyslog(b *testing.B, p Parser, lines [][]byte) {
	var size int64
	for _, l := range lines {
		size += int64(len(l))
	}
	env := syslogEnv()
	var d ecs.Document
	b.ReportAllocs()
	b.SetBytes(size / int64(len(lines)))
	n := 0
	for b.Loop() {
		d.Reset()
		if err := p.Parse(lines[n%len(lines)], &d, env); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkParseSyslogLinux(b *testing.B) {
	benchSyslog(b, SyslogParser{}, corpusFile(b, "linux_2k.log"))
}

func BenchmarkParseSyslogOpenSSH(b *testing.B) {
	benchSyslog(b, SyslogParser{}, corpusFile(b, "openssh_2k.log"))
}

func BenchmarkParseSSHD(b *testing.B) {
	benchSyslog(b, SSHDParser{}, corpusFile(b, "openssh_2k.log"))
}

func BenchmarkParseSyslog5424(b *testing.B) {
	benchSyslog(b, SyslogParser{}, [][]byte{
		[]byte(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...`),
		[]byte("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8"),
	})
}
