package gateway

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// BenchmarkSyslogTCP measures one TCP connection from the socket to queue confirmation,
// with a consumer acknowledging behind it as the processor would.
func BenchmarkSyslogTCP(b *testing.B) {
	// Batches of 100 records: each round of 1000 lines fills 10, none waits for batch_wait.
	f := newSyslogFixture(b, 0, func(c *Config) { c.Syslog.BatchRecords, c.MaxBodyBytes = 100, 1<<20 })
	f.gw.now = time.Now // a frozen clock would spend the tenant's burst for good, and pause reading
	f.ackAll(b)
	addr, _ := f.serveSyslog(b, nil)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	const lines = 1000
	msgs := make([]string, lines)
	for i := range msgs {
		msgs[i] = fmt.Sprintf(`<134>1 2026-11-21T10:15:%02d.%06dZ web-%d.example.com nginx %d - [auth@32473 token="a-in" stream="web"][meta sequenceId="%d"] 10.0.%d.%d - - "GET /item/%d HTTP/1.1" 200 512 "-" "curl/8.5.0"`,
			i%60, i*37%1000000, i%16, 1000+i, i, i/250, i%250, i)
	}
	wire := []byte(counted(msgs...))
	records := f.gw.metrics.records.WithLabelValues("a", "syslog-tcp")
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	sent := 0
	for b.Loop() {
		if _, err := conn.Write(wire); err != nil {
			b.Fatal(err)
		}
		sent += lines
		for testutil.ToFloat64(records) < float64(sent) {
			time.Sleep(50 * time.Microsecond)
		}
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "lines/s")
}
