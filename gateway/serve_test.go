package gateway

import (
	"bufio"
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The ingest listener runs under its http limits: one keep-alive connection per address
// here, closed once idle.
func TestServeGuardsItsListener(t *testing.T) {
	f := newFixture(t, 0, func(c *Config) {
		c.HTTP.MaxConnsPerAddr = 1
		c.HTTP.IdleTimeout = 200 * time.Millisecond
	})
	ln, err := netListen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.gw.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	url := "http://" + ln.Addr().String() + "/healthz"
	// value is the ingest listener's series of name whose other labels are want, -1 when none.
	value := func(name string, want map[string]string) float64 {
		mfs, err := f.reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() != name {
				continue
			}
			for _, m := range mf.GetMetric() {
				got := map[string]string{}
				for _, l := range m.GetLabel() {
					got[l.GetName()] = l.GetValue()
				}
				if got["listener"] != "ingest" {
					continue
				}
				delete(got, "listener")
				if !maps.Equal(got, want) {
					continue
				}
				return m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
		return -1
	}
	open := func() float64 { return value("trolly_http_open_connections", map[string]string{}) }

	first := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	resp, err := first.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body) // read to the end, or the client drops the connection
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 1.0, open(), "the first client's connection is kept alive")

	// A raw connection: http.Transport would retry a refused one until the first is gone.
	// Its reset can come before the dial returns, or on the first read.
	if second, err := net.DialTimeout("tcp", ln.Addr().String(), 10*time.Second); err == nil {
		defer second.Close()
		require.NoError(t, second.SetDeadline(time.Now().Add(10*time.Second)))
		_, _ = io.WriteString(second, "GET /healthz HTTP/1.1\r\nHost: trolly\r\n\r\n")
		_, err = http.ReadResponse(bufio.NewReader(second), nil)
		require.Error(t, err, "a second connection from the address is closed at once")
	}
	require.Equal(t, 1.0, value("trolly_http_refused_connections_total", map[string]string{"reason": "max_conns_per_addr"}))

	require.Eventually(t, func() bool { return open() == 0 }, 10*time.Second, 10*time.Millisecond,
		"the idle connection is closed")
}
