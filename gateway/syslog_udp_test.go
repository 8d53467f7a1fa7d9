package gateway

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest/syslog"
)

// serveUDP serves syslog over UDP on a free port until the test ends, and returns a
// connected client socket.
func (f *fixture) serveUDP(t *testing.T) net.Conn {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.gw.ServeSyslogUDP(ctx, pc) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Error("ServeSyslogUDP did not return")
		}
		pc.Close()
	})
	c, err := net.Dial("udp", pc.LocalAddr().String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func datagrams(t *testing.T, c net.Conn, msgs ...string) {
	t.Helper()
	for _, m := range msgs {
		_, err := c.Write([]byte(m))
		require.NoError(t, err)
	}
}

func TestSyslogUDP(t *testing.T) {
	f := newSyslogFixture(t, 0, nil)
	c := f.serveUDP(t)
	datagrams(t, c,
		msg("nginx", `[auth@32473 token="a-in" stream="web"]`, "GET /")+"\n",
		msg("multi", `[auth@32473 token="a-in"]`, "line one\nline two"),
		msg("app", `[auth@32473 token="b-in"]`, "for b"),
	)
	bs := f.waitRecords(t, 3)
	require.Equal(t, map[string][]string{
		"a/web":    {msg("nginx", "-", "GET /")},
		"a/syslog": {msg("multi", "-", "line one\nline two")},
		"b/syslog": {msg("app", "-", "for b")},
	}, byStream(bs), "one datagram is one message, LFs inside included")
	for _, b := range bs {
		require.Equal(t, "syslog-udp", b.GetTransport())
		for _, r := range b.GetRecords() {
			require.Equal(t, c.LocalAddr().String(), r.GetFields()[syslog.FieldSourceAddress], "batches gather senders: each record has its own")
		}
	}
	require.Equal(t, 2.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("a", "syslog-udp")))
}

func TestSyslogUDPDrops(t *testing.T) {
	f := newSyslogFixture(t, 0, nil)
	c := f.serveUDP(t)
	zs := strings.Repeat("z", 540)
	big := msg("app", `[auth@32473 token="slow-in"]`, zs) // 600 of a 1000-byte burst
	datagrams(t, c,
		msg("app", `[meta x="1"]`, "no token"),
		msg("app", `[auth@32473 token="nope"]`, "bad token"),
		msg("app", `[auth@32473 token="a-rd"]`, "read key"),
		msg("app", `[auth@32473 token="a-in" stream="secret"]`, "b's stream"),
		msg("cron", `[auth@32473 token="bare-in"]`, "no syslog stream"),
		big, big,
		msg("app", `[auth@32473 token="a-in"]`, "kept"),
	)
	bs := f.waitRecords(t, 2)
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "kept")}, "slow/syslog": {msg("app", "-", zs)}}, byStream(bs))
	dropped := func(tenant, reason string) float64 {
		return testutil.ToFloat64(f.gw.syslog.dropped.WithLabelValues(tenant, "syslog-udp", reason))
	}
	require.Equal(t, 2.0, dropped("", "unauthenticated"))
	require.Equal(t, 1.0, dropped("a", "forbidden"))
	require.Equal(t, 1.0, dropped("a", "unknown_stream"), "a's token never reaches b's stream")
	require.Equal(t, 1.0, dropped("bare", "unknown_stream"))
	require.Equal(t, 1.0, dropped("slow", "rate_limited"))
	require.Zero(t, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("b", "syslog-udp")))
}

func TestSyslogUDPQueueFull(t *testing.T) {
	f := newSyslogFixture(t, 1000, func(c *Config) { c.Syslog.BatchRecords = 1 })
	c := f.serveUDP(t)
	m := msg("app", `[auth@32473 token="a-in"]`, strings.Repeat("q", 560)) // two batches do not fit
	datagrams(t, c, m, m)
	waitUntil(t, "a drop", metricAt(f.gw.syslog.dropped.WithLabelValues("a", "syslog-udp", "unavailable"), positive))
	require.Len(t, f.waitRecords(t, 1), 1, "the first batch is there")
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.syslog.dropped.WithLabelValues("a", "syslog-udp", "unavailable")))
}
