package httpx

import (
	"net"
	"sync"
	"sync/atomic"
)

// Listener returns ln under the guard's connection caps. A connection over a cap is closed
// as soon as it is accepted, with a reset: answering 503 would mean reading its request,
// holding the descriptor and a goroutine for up to read_header_timeout, which is what the cap
// is there to prevent; shippers retry a refused connection as they retry a 503.
func (g *Guard) Listener(ln net.Listener) net.Listener {
	return &capped{Listener: ln, g: g, byAddr: map[string]int{}}
}

type capped struct {
	net.Listener
	g      *Guard
	mu     sync.Mutex
	open   int
	byAddr map[string]int
}

func (l *capped) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := clientOf(c.RemoteAddr())
		if reason := l.admit(addr); reason != "" {
			l.g.m.refused.WithLabelValues(reason).Inc()
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // a reset: no TIME_WAIT left on our side
			}
			_ = c.Close()
			continue
		}
		l.g.m.open.Inc()
		return &countedConn{Conn: c, l: l, addr: addr}, nil
	}
}

// admit takes a place for a connection from addr, or says which cap refuses it.
func (l *capped) admit(addr string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.g.cfg.MaxConns:
		return "max_conns"
	case l.byAddr[addr] >= l.g.cfg.MaxConnsPerAddr:
		return "max_conns_per_addr"
	}
	l.open++
	l.byAddr[addr]++
	return ""
}

func (l *capped) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byAddr[addr]--; l.byAddr[addr] <= 0 {
		delete(l.byAddr, addr)
	}
	l.g.m.open.Dec()
}

// clientOf is the key a connection from a counts under: its IPv4 address, or its IPv6 /64,
// which one client usually holds whole and can pick addresses from.
func clientOf(a net.Addr) string {
	var ip net.IP
	if ta, ok := a.(*net.TCPAddr); ok {
		ip = ta.IP
	} else if host, _, err := net.SplitHostPort(a.String()); err == nil {
		ip = net.ParseIP(host)
	}
	switch {
	case ip == nil:
		return a.String()
	case ip.To4() != nil:
		return ip.To4().String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// countedConn gives its place back once, however often it is closed.
type countedConn struct {
	net.Conn
	l      *capped
	addr   string
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.release(c.addr)
	}
	return c.Conn.Close()
}
