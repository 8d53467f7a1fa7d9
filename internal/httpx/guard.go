package httpx

import (
	"errors"
	"io"
	"net/http"
	"os"
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
