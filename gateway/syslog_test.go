package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/tenant"
)

// newSyslogFixture is newFixture with the tenants of the syslog tests: a and b, each with a
// "syslog" stream, b's "secret" stream, a slow tenant, one without a "syslog" stream, and
// one with short lines.
func newSyslogFixture(t testing.TB, queueBytes int64, mutate func(*Config)) *fixture {
	t.Helper()
	key := func(name string, scope tenant.Scope, secret string) tenant.KeyConfig {
		return tenant.KeyConfig{Name: name, Scope: scope, Hash: tenant.HashKey(secret)}
	}
	streams := func(names ...string) []tenant.StreamConfig {
		var out []tenant.StreamConfig
		for _, n := range names {
			out = append(out, tenant.StreamConfig{Name: n, SourceType: "text"})
		}
		return out
	}
	dir, err := tenant.NewStatic([]tenant.Config{
		{ID: "a", Keys: []tenant.KeyConfig{key("in", tenant.ScopeIngest, "a-in"), key("rd", tenant.ScopeRead, "a-rd")}, Streams: streams("web", "syslog")},
		{ID: "b", Keys: []tenant.KeyConfig{key("in", tenant.ScopeIngest, "b-in")}, Streams: streams("secret", "syslog")},
		{ID: "slow", Limits: tenant.Limits{IngestBytesPerSecond: 1000, IngestBurstBytes: 1000},
			Keys: []tenant.KeyConfig{key("in", tenant.ScopeIngest, "slow-in")}, Streams: streams("syslog")},
		{ID: "bare", Keys: []tenant.KeyConfig{key("in", tenant.ScopeIngest, "bare-in")}, Streams: streams("web")},
		{ID: "short", Limits: tenant.Limits{MaxLineBytes: 60}, Keys: []tenant.KeyConfig{key("in", tenant.ScopeIngest, "short-in")}, Streams: streams("syslog")},
	})
	require.NoError(t, err)
	var cfg Config
	cfg.Syslog.MaxMessageBytes = 2000
	cfg.ApplyDefaults()
	cfg.MaxBodyBytes, cfg.MaxLineBytes = 100000, 10000
	if mutate != nil {
		mutate(&cfg)
	}
	return fixtureOn(t, dir, queueBytes, cfg)
}

// serveSyslog serves syslog over TCP (or TLS) on a free port and returns its address and
// a stop function that returns Serve's error; the test's end stops it too.
func (f *fixture) serveSyslog(t testing.TB, tlsCfg *tls.Config) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.gw.ServeSyslog(ctx, ln, tlsCfg) }()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			done <- err
			return err
		case <-time.After(15 * time.Second):
			return errors.New("ServeSyslog did not return")
		}
	}
	t.Cleanup(func() { require.NoError(t, stop()) })
	return ln.Addr().String(), stop
}

// waitRecords collects raw batches until they hold n records, failing after 10s.
func (f *fixture) waitRecords(t *testing.T, n int) []*trollyv1.RawBatch {
	t.Helper()
	var out []*trollyv1.RawBatch
	deadline := time.Now().Add(10 * time.Second)
	for got := 0; got < n; {
		require.True(t, time.Now().Before(deadline), "got %d of %d records", got, n)
		for _, b := range f.received(t) {
			out = append(out, b)
			got += len(b.GetRecords())
		}
	}
	return out
}

// waitUntil polls cond, failing after 10s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "still waiting for %s", what)
		time.Sleep(5 * time.Millisecond)
	}
}

// metricAt returns a condition on a metric's value.
func metricAt(c prometheus.Collector, ok func(float64) bool) func() bool {
	return func() bool { return ok(testutil.ToFloat64(c)) }
}

func positive(v float64) bool { return v > 0 }

// byStream returns each record's data under "tenant/stream".
func byStream(bs []*trollyv1.RawBatch) map[string][]string {
	out := map[string][]string{}
	for _, b := range bs {
		k := b.GetTenantId() + "/" + b.GetStream()
		for _, r := range b.GetRecords() {
			out[k] = append(out[k], string(r.GetData()))
		}
	}
	return out
}

func msg(app, sd, text string) string {
	return "<134>1 2026-11-21T10:15:00Z host " + app + " - - " + sd + " " + text
}

func counted(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%d %s", len(m), m)
	}
	return b.String()
}

// send writes wire on a new connection and closes its write side.
func send(t *testing.T, addr, wire string) net.Conn {
	t.Helper()
	c := write(t, addr, wire)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	return c
}

// write writes wire on a new connection and leaves it open.
func write(t *testing.T, addr, wire string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, wire)
	require.NoError(t, err)
	return c
}

// requireClosed waits for the server to close c.
func requireClosed(t *testing.T, c net.Conn) {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err := io.Copy(io.Discard, c)
	if err != nil { // a reset is a close too; a timeout is not
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection is still open: %v", err)
	}
}
