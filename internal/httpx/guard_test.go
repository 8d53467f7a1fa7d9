package httpx

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// testConfig is the defaults, which tests shorten where they look.
func testConfig() Config {
	var c Config
	c.ApplyDefaults()
	return c
}

// serveGuarded serves h under a guard of cfg on a real listener of 127.0.0.1 until the
// test ends, and returns the listener's address.
func serveGuarded(t *testing.T, cfg Config, h http.Handler) (string, *Guard) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := NewGuard("test", cfg, prometheus.NewRegistry())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, g.Server(h), g.Listener(ln), time.Second) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return ln.Addr().String(), g
}

// dialFrom connects to addr from the loopback address ip (Linux answers all of 127/8).
func dialFrom(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	c, err := tryDial(t, ip, addr)
	require.NoError(t, err)
	return c
}

func tryDial(t *testing.T, ip, addr string) (net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// getFrom connects from ip and sends a GET; a connection the server refuses fails either
// way: its reset can come before the dial returns.
func getFrom(t *testing.T, ip, addr string) (net.Conn, int, error) {
	c, err := tryDial(t, ip, addr)
	if err != nil {
		return nil, 0, err
	}
	status, err := get(c)
	return c, status, err
}

// get sends a keep-alive GET / on c and returns the answer's status, or the error of a
// connection the server closed.
func get(c net.Conn) (int, error) {
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return 0, err
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: trolly\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, http.StatusOK, "ok") })

func TestGuardClosesIdleConnections(t *testing.T) {
	cfg := testConfig()
	cfg.IdleTimeout = 100 * time.Millisecond
	addr, _ := serveGuarded(t, cfg, ok)
	c := dialFrom(t, "127.0.0.1", addr)
	status, err := get(c)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	// The deadline only ends the test if the server never closes the connection.
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = c.Read(make([]byte, 1))
	require.ErrorIs(t, err, io.EOF, "the server closes a keep-alive connection idle past idle_timeout")
}

func TestGuardCutsSlowBodies(t *testing.T) {
	cfg := testConfig()
	cfg.ReadTimeout = 200 * time.Millisecond
	cfg.MinBodyRate = 1000
	// Shorter than the steady body takes: the answer's deadline follows the body's.
	cfg.WriteTimeout = 300 * time.Millisecond
	read := make(chan error, 1)
	addr, g := serveGuarded(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		read <- err
		if err != nil {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	tests := []struct {
		name         string
		chunk, count int
		every        time.Duration
		cut          bool
	}{
		// 10 bytes/s: a slowloris body, cut soon after read_timeout.
		{name: "dribbled", chunk: 1, count: 100, every: 100 * time.Millisecond, cut: true},
		// About 5 KB/s for 800 ms: longer than read_timeout, but above the minimum rate.
		{name: "slow but steady", chunk: 512, count: 8, every: 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialFrom(t, "127.0.0.1", addr)
			stop := make(chan struct{})
			sent := make(chan struct{})
			go func() {
				defer close(sent)
				_, _ = io.WriteString(c, "POST / HTTP/1.1\r\nHost: trolly\r\nContent-Length: "+strconv.Itoa(tt.chunk*tt.count)+"\r\n\r\n")
				for range tt.count {
					if _, err := io.WriteString(c, strings.Repeat("x", tt.chunk)); err != nil {
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(tt.every):
					}
				}
			}()
			err := <-read
			close(stop)
			<-sent
			if !tt.cut {
				require.NoError(t, err)
				require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				require.NoError(t, err, "the answer comes after a body longer than write_timeout")
				resp.Body.Close()
				require.Equal(t, http.StatusNoContent, resp.StatusCode)
				return
			}
			require.True(t, errors.Is(err, os.ErrDeadlineExceeded), "the body is cut at its deadline, got %v", err)
			require.Equal(t, 1.0, testutil.ToFloat64(g.m.slowBody))
		})
	}
}

func TestGuardCapsConnections(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConns = 3
	cfg.MaxConnsPerAddr = 2
	addr, g := serveGuarded(t, cfg, ok)
	steps := []struct {
		from    string
		refused string // the reason, empty when let in
	}{
		{from: "127.0.0.1"},
		{from: "127.0.0.1"},
		{from: "127.0.0.1", refused: "max_conns_per_addr"},
		{from: "127.0.0.2"}, // another address still gets in
		{from: "127.0.0.3", refused: "max_conns"},
	}
	var first net.Conn
	for i, s := range steps {
		c, status, err := getFrom(t, s.from, addr)
		if i == 0 {
			first = c
		}
		if s.refused == "" {
			require.NoError(t, err, "step %d", i)
			require.Equal(t, http.StatusOK, status, "step %d", i)
			continue
		}
		require.Error(t, err, "step %d: closed without an answer, got %d", i, status)
		require.Equal(t, 1.0, testutil.ToFloat64(g.m.refused.WithLabelValues(s.refused)), "step %d", i)
	}
	require.Equal(t, 3.0, testutil.ToFloat64(g.m.open))

	// A closed connection gives its place back.
	require.NoError(t, first.Close())
	require.Eventually(t, func() bool { return testutil.ToFloat64(g.m.open) == 2 }, 10*time.Second, 10*time.Millisecond)
	status, err := get(dialFrom(t, "127.0.0.1", addr))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		err    string
	}{
		{name: "defaults", change: func(*Config) {}},
		{name: "no read timeout", change: func(c *Config) { c.ReadTimeout = -time.Second }, err: "read_timeout: must be > 0"},
		{name: "no idle timeout", change: func(c *Config) { c.IdleTimeout = -1 }, err: "idle_timeout: must be > 0"},
		{name: "negative rate", change: func(c *Config) { c.MinBodyRate = -1 }, err: "min_body_rate: must not be negative"},
		{name: "no connections", change: func(c *Config) { c.MaxConns = -1 }, err: "max_conns: must be > 0"},
		{name: "per address over all", change: func(c *Config) { c.MaxConnsPerAddr = c.MaxConns + 1 }, err: "max_conns_per_addr: must be > 0 and at most max_conns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig()
			tt.change(&c)
			err := c.Validate()
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
}

func TestClientOf(t *testing.T) {
	tests := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 4711}, "192.0.2.7"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 4711}, "192.0.2.7"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:aaaa::1"), Port: 4711}, "2001:db8:1:2::/64"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:bbbb::9"), Port: 1}, "2001:db8:1:2::/64"},
		{&net.UnixAddr{Name: "@trolly", Net: "unix"}, "@trolly"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, clientOf(tt.addr), tt.addr.String())
	}
}
