package httpx

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Guard applies one listener's Config: the timeouts to its server and its requests, the
// connection caps to its net.Listener. Its metrics carry the listener's name.
type Guard struct {
	cfg Config
	m   guardMetrics
}

type guardMetrics struct {
	open     prometheus.Gauge
	refused  *prometheus.CounterVec
	slowBody prometheus.Counter
}

// NewGuard returns the guard of the listener called name. Unset fields of cfg take their
// defaults; the rest must have passed Validate.
func NewGuard(name string, cfg Config, reg prometheus.Registerer) *Guard {
	cfg.ApplyDefaults()
	f := promauto.With(prometheus.WrapRegistererWith(prometheus.Labels{"listener": name}, reg))
	return &Guard{cfg: cfg, m: guardMetrics{
		open: f.NewGauge(prometheus.GaugeOpts{
			Name: "trolly_http_open_connections",
			Help: "Open connections of an HTTP listener.",
		}),
		refused: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_http_refused_connections_total",
			Help: "Connections an HTTP listener closed on accepting them, by reason: max_conns or max_conns_per_addr.",
		}, []string{"reason"}),
		slowBody: f.NewCounter(prometheus.CounterOpts{
			Name: "trolly_http_slow_bodies_total",
			Help: "Request bodies cut for arriving slower than min_body_rate after read_timeout.",
		}),
	}}
}

// Server returns a server of h with the guard's timeouts. It sets no ReadTimeout: net/http
// would cut every body at the same total, and would cancel the context of any handler running
// past it; each request body gets a deadline of its own instead (see paced).
func (g *Guard) Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           g.pace(h),
		ReadHeaderTimeout: g.cfg.ReadHeaderTimeout,
		WriteTimeout:      g.cfg.WriteTimeout,
		IdleTimeout:       g.cfg.IdleTimeout,
	}
}

// pace gives a request body its read deadline.
func (g *Guard) pace(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &paced{ReadCloser: r.Body, rc: http.NewResponseController(w), g: g, start: time.Now()}
		}
		h.ServeHTTP(w, r)
	})
}

// paced is a request body that must arrive by start + read_timeout + 1 s per min_body_rate
// bytes read: an average rate with a head start, which lets bursts and stalls through. The
// answer's write deadline follows, so a long upload still gets its answer.
type paced struct {
	io.ReadCloser
	rc    *http.ResponseController
	g     *Guard
	start time.Time
	n     int64
	done  bool
}

func (p *paced) Read(b []byte) (int, error) {
	if p.done {
		return p.ReadCloser.Read(b)
	}
	allowed := p.g.cfg.ReadTimeout
	if rate := p.g.cfg.MinBodyRate; rate > 0 {
		allowed += time.Duration(float64(p.n) / float64(rate) * float64(time.Second))
	}
	deadline := p.start.Add(allowed)
	// Errors say the connection cannot take deadlines (a test recorder); nothing to pace then.
	_ = p.rc.SetReadDeadline(deadline)
	_ = p.rc.SetWriteDeadline(deadline.Add(p.g.cfg.WriteTimeout))
	n, err := p.ReadCloser.Read(b)
	p.n += int64(n)
	switch {
	case errors.Is(err, io.EOF):
		// net/http reads on in the background once the body is done, to see the client go;
		// a deadline left behind would cancel the handler's context.
		p.done = true
		_ = p.rc.SetReadDeadline(time.Time{})
		_ = p.rc.SetWriteDeadline(time.Now().Add(p.g.cfg.WriteTimeout))
	case errors.Is(err, os.ErrDeadlineExceeded):
		p.done = true
		p.g.m.slowBody.Inc()
	}
	return n, err
}

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
		addr := hostOf(c.RemoteAddr())
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

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
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
