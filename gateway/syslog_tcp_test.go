package gateway

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/ingest/syslog"
)

func TestSyslogTCP(t *testing.T) {
	web := msg("nginx", `[auth@32473 token="a-in" stream="web"]`, "GET /")
	cron := msg("cron", `[auth@32473 token="a-in"][meta seq="2"]`, "job ran")
	upper := msg("WEB", `[auth token="a-in"]`, "by app-name")
	fromB := msg("app", `[auth@32473 token="b-in"]`, "relayed for b")
	want := map[string][]string{
		"a/web":    {msg("nginx", "-", "GET /"), msg("WEB", "-", "by app-name")},
		"a/syslog": {msg("cron", `[meta seq="2"]`, "job ran")},
		"b/syslog": {msg("app", "-", "relayed for b")},
	}
	tests := []struct{ name, wire string }{
		{"octet-counted", counted(web, cron, upper, fromB)},
		{"LF-framed", web + "\n" + cron + "\n" + upper + "\n" + fromB + "\n"},
		{"mixed, CRLF, no final LF", counted(web) + cron + "\r\n" + counted(upper) + fromB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSyslogFixture(t, 0, nil)
			addr, _ := f.serveSyslog(t, nil)
			c := send(t, addr, tt.wire)
			bs := f.waitRecords(t, 4)
			require.Equal(t, want, byStream(bs))
			for _, b := range bs {
				require.Equal(t, "syslog-tcp", b.GetTransport())
				require.Equal(t, c.LocalAddr().String(), b.GetRemoteAddr())
				for _, r := range b.GetRecords() {
					require.NotContains(t, string(r.GetData()), "token=", "the token never reaches the tenant")
				}
			}
			requireClosed(t, c)
			require.Equal(t, 3.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("a", "syslog-tcp")))
			require.Equal(t, float64(len(web+cron+upper)), testutil.ToFloat64(f.gw.metrics.bytes.WithLabelValues("a", "syslog-tcp")))
			require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("b", "syslog-tcp")))
		})
	}
}

func TestSyslogTCPRefusalClosesConnection(t *testing.T) {
	tests := []struct {
		name, sd, tenant, reason string
	}{
		{"no token", `[meta x="1"]`, "", "unauthenticated"},
		{"unknown token", `[auth@32473 token="nope"]`, "", "unauthenticated"},
		{"read key", `[auth@32473 token="a-rd"]`, "a", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSyslogFixture(t, 0, nil)
			addr, _ := f.serveSyslog(t, nil)
			before := msg("app", `[auth@32473 token="a-in"]`, "before")
			c := send(t, addr, counted(before, msg("app", tt.sd, "refused"), msg("app", `[auth@32473 token="a-in"]`, "after")))
			requireClosed(t, c)
			require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "before")}}, byStream(f.waitRecords(t, 1)),
				"what came before is published; nothing after")
			require.Empty(t, f.received(t))
			require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues(tt.tenant, "syslog-tcp", tt.reason)))
		})
	}
}

func TestSyslogStreamOfAnotherTenant(t *testing.T) {
	f := newSyslogFixture(t, 0, nil)
	addr, _ := f.serveSyslog(t, nil)
	c := send(t, addr, counted(
		msg("app", `[auth@32473 token="a-in" stream="secret"]`, "asks for b's stream"),
		msg("secret", `[auth@32473 token="a-in"]`, "app-name of b's stream"),
		msg("cron", `[auth@32473 token="bare-in"]`, "no syslog stream"),
		msg("app", `[auth@32473 token="a-in"]`, "still open"),
	))
	bs := f.waitRecords(t, 2)
	requireClosed(t, c)
	require.Equal(t, map[string][]string{"a/syslog": {msg("secret", "-", "app-name of b's stream"), msg("app", "-", "still open")}}, byStream(bs))
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.syslog.dropped.WithLabelValues("a", "syslog-tcp", "unknown_stream")))
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.syslog.dropped.WithLabelValues("bare", "syslog-tcp", "unknown_stream")))
	require.Zero(t, testutil.ToFloat64(f.gw.metrics.records.WithLabelValues("b", "syslog-tcp")), "nothing reached b")
}

func TestSyslogTruncates(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) { c.Syslog.MaxMessageBytes = 200 })
	addr, _ := f.serveSyslog(t, nil)
	long := msg("app", `[auth@32473 token="a-in"]`, strings.Repeat("x", 300))
	short := msg("app", `[auth@32473 token="short-in"]`, strings.Repeat("y", 100))
	send(t, addr, long+"\n"+short+"\n"+msg("app", `[auth@32473 token="a-in"]`, "next")+"\n")
	got := map[string][]map[string]string{}
	sizes := map[string][]int{}
	for _, b := range f.waitRecords(t, 3) {
		for _, r := range b.GetRecords() {
			got[b.GetTenantId()] = append(got[b.GetTenantId()], r.GetFields())
			sizes[b.GetTenantId()] = append(sizes[b.GetTenantId()], len(r.GetData()))
		}
	}
	require.Equal(t, []map[string]string{{syslog.FieldTags: syslog.TagTruncated}, nil}, got["a"], "the rest of a cut line is not a message")
	require.LessOrEqual(t, sizes["a"][0], 200)
	require.Equal(t, []map[string]string{{syslog.FieldTags: syslog.TagTruncated}}, got["short"])
	require.LessOrEqual(t, sizes["short"][0], 60, "the tenant's max_line_bytes")
}

func TestSyslogRateLimitPausesReading(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) { c.Syslog.BatchRecords = 1 })
	addr, _ := f.serveSyslog(t, nil)
	m := msg("app", `[auth@32473 token="slow-in"]`, strings.Repeat("z", 540)) // 600 bytes of a 1000-byte burst
	send(t, addr, counted(m, m, m))
	require.Len(t, f.waitRecords(t, 3), 3, "nothing is dropped")
	require.Positive(t, testutil.ToFloat64(f.gw.syslog.paused.WithLabelValues("slow", "syslog-tcp", "rate_limited")))
	require.Zero(t, testutil.CollectAndCount(f.gw.syslog.dropped))
}

func TestSyslogQueueFullPausesReading(t *testing.T) {
	f := newSyslogFixture(t, 1000, func(c *Config) { c.Syslog.BatchRecords = 1 })
	addr, _ := f.serveSyslog(t, nil)
	m := msg("app", `[auth@32473 token="a-in"]`, strings.Repeat("q", 560)) // two batches do not fit
	send(t, addr, counted(m, m))
	waitUntil(t, "a pause", metricAt(f.gw.syslog.paused.WithLabelValues("a", "syslog-tcp", "unavailable"), positive))
	require.Len(t, f.waitRecords(t, 2), 2, "consuming makes room: the second batch follows")
	require.Zero(t, testutil.CollectAndCount(f.gw.syslog.dropped))
}

func TestSyslogShutdownPublishesWhatWasRead(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) { c.Syslog.BatchRecords, c.Syslog.BatchWait = 2, time.Minute })
	addr, stop := f.serveSyslog(t, nil)
	tok := `[auth@32473 token="a-in"]`
	c := write(t, addr, counted(msg("app", tok, "1"), msg("app", tok, "2"), msg("app", tok, "3")))
	require.Len(t, f.waitRecords(t, 2), 1, "a full batch goes at once")
	require.NoError(t, stop())
	require.Equal(t, map[string][]string{"a/syslog": {msg("app", "-", "3")}}, byStream(f.received(t)),
		"the batch still waiting is published at shutdown")
	requireClosed(t, c)
}

func TestSyslogIdleAndTooManyConnections(t *testing.T) {
	f := newSyslogFixture(t, 0, func(c *Config) {
		c.Syslog.MaxConnections, c.Syslog.MaxConnectionsPerAddress = 1, 1
		c.Syslog.IdleTimeout, c.Syslog.AuthTimeout = time.Second, time.Second
	})
	addr, _ := f.serveSyslog(t, nil)
	idle := write(t, addr, counted(msg("app", `[auth@32473 token="a-in"]`, "then idle")))
	require.Len(t, f.waitRecords(t, 1), 1, "authenticated: only idle_timeout closes it")
	gauge := f.gw.syslog.connections.WithLabelValues("syslog-tcp")
	waitUntil(t, "a connection", metricAt(gauge, positive))
	for _, tt := range []struct{ from, reason string }{
		{"127.0.0.2", "too_many_connections"},
		{"127.0.0.1", "too_many_from_address"},
	} {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(tt.from)}}
		extra, err := d.Dial("tcp", addr)
		require.NoError(t, err)
		defer extra.Close()
		requireClosed(t, extra)
		require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("", "syslog-tcp", tt.reason)), tt.from)
	}
	requireClosed(t, idle)
	require.Zero(t, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("", "syslog-tcp", "auth_timeout")))
	waitUntil(t, "no connection", metricAt(gauge, func(v float64) bool { return v == 0 }))
}
