package gateway

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// dialOpen dials addr and waits until the listener counts open connections.
func (f *fixture) dialOpen(t *testing.T, addr string, open float64) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	waitUntil(t, "the connection", metricAt(f.gw.syslog.connections.WithLabelValues("syslog-tcp"), func(v float64) bool { return v == open }))
	return c
}

func TestSyslogSilentConnectionClosedAfterAuthTimeout(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) { c.Syslog.AuthTimeout = 300 * time.Millisecond })
	addr, _ := f.serveSyslog(t, nil)
	tok := `[auth@32473 token="a-in"]`
	sender := write(t, addr, counted(msg("app", tok, "first")))
	require.Len(t, f.waitRecords(t, 1), 1)
	silent := f.dialOpen(t, addr, 2)
	requireClosed(t, silent)
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("", "syslog-tcp", "auth_timeout")))
	_, err := io.WriteString(sender, counted(msg("app", tok, "after the deadline")))
	require.NoError(t, err)
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "after the deadline")}}, byStream(f.waitRecords(t, 1)),
		"the authenticated sender keeps its connection")
}

func TestSyslogConnectionsPerAddress(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) { c.Syslog.MaxConnectionsPerAddress = 2 })
	addr, _ := f.serveSyslog(t, nil)
	first := f.dialOpen(t, addr, 1)
	f.dialOpen(t, addr, 2)
	over, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer over.Close()
	requireClosed(t, over)
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("", "syslog-tcp", "too_many_from_address")))
	require.NoError(t, first.Close())
	waitUntil(t, "a free slot", metricAt(f.gw.syslog.connections.WithLabelValues("syslog-tcp"), func(v float64) bool { return v == 1 }))
	write(t, addr, counted(msg("app", `[auth@32473 token="a-in"]`, "in again")))
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "in again")}}, byStream(f.waitRecords(t, 1)),
		"a closed connection gives its address a slot back")
}

func TestSyslogSilentConnectionsFreeTheirSlots(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) {
		c.Syslog.MaxConnections, c.Syslog.MaxConnectionsPerAddress, c.Syslog.AuthTimeout = 2, 2, 300*time.Millisecond
	})
	addr, _ := f.serveSyslog(t, nil)
	silent := []net.Conn{f.dialOpen(t, addr, 1), f.dialOpen(t, addr, 2)}
	for _, c := range silent {
		requireClosed(t, c)
	}
	require.Equal(t, 2.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("", "syslog-tcp", "auth_timeout")))
	write(t, addr, counted(msg("app", `[auth@32473 token="a-in"]`, "a slot again")))
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "a slot again")}}, byStream(f.waitRecords(t, 1)))
}
