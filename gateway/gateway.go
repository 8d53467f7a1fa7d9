package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"

	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
)

// Gateway serves the ingest endpoints: the HTTP protocols and the syslog listeners.
type Gateway struct {
	cfg     Config
	dir     tenant.Directory
	q       queue.Queue
	log     *slog.Logger
	metrics *metrics
	syslog  *syslogMetrics
	health  *httpx.Health
	guard   *httpx.Guard
	// inflight holds max_inflight_bytes, taken by each body as it grows.
	inflight *semaphore.Weighted
	limits   *limiters
	now      func() time.Time
}

// New returns a gateway that authenticates against dir and publishes on q. cfg must have
// passed Validate.
func New(cfg Config, dir tenant.Directory, q queue.Queue, logger *slog.Logger, reg prometheus.Registerer) *Gateway {
	g := &Gateway{
		cfg:      cfg,
		dir:      dir,
		q:        q,
		log:      logger.With("component", "gateway"),
		metrics:  newMetrics(reg),
		syslog:   newSyslogMetrics(reg),
		health:   &httpx.Health{},
		guard:    httpx.NewGuard("ingest", cfg.HTTP, reg),
		inflight: semaphore.NewWeighted(cfg.MaxInflightBytes),
		limits:   &limiters{buckets: map[string]bucket{}},
		now:      time.Now,
	}
	g.health.SetReady(true)
	g.health.Check(g.Ready)
	return g
}

// Ready returns nil unless the queue's backlog is over its budget, when the gateway refuses
// everyone's input; then it says by how much.
func (g *Gateway) Ready() error {
	bl, ok := g.q.(queue.Backlogger)
	if !ok {
		return nil
	}
	if b := bl.Backlog(); b.Over(0) {
		return fmt.Errorf("gateway: the backlog of data not yet stored holds %d bytes, over its budget of %d (max_backlog_bytes): storage is not keeping up, input is refused with 503", b.Bytes, b.Budget)
	}
	return nil
}

// Handler returns the gateway's routes.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /ingest/v1/streams/{stream}", g.instrument("native", g.handleNative))
	loki := g.instrument("loki", g.handleLoki)
	mux.Handle("POST /loki/api/v1/push", loki)
	mux.Handle("POST /api/prom/push", loki) // Loki's legacy path, which Promtail and older clients use
	mux.Handle("POST /v1/logs", g.instrument("otlp", g.handleOTLP))
	g.routeHEC(mux)
	g.routeES(mux) // at the root: it answers every path the others do not take
	g.health.Register(mux)
	return mux
}

// Serve serves the gateway on ln until ctx ends, then stops taking requests and lets those in
// flight finish (their batches are published or refused, never half-done).
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	srv := g.guard.Server(g.Handler())
	srv.ErrorLog = slog.NewLogLogger(g.log.Handler(), slog.LevelWarn)
	go func() {
		<-ctx.Done()
		g.health.SetReady(false)
	}()
	g.log.Info("ingest listener started", "addr", ln.Addr().String())
	return httpx.Serve(ctx, srv, g.guard.Listener(ln), g.cfg.ShutdownGrace)
}

// instrument times requests by protocol and status.
func (g *Gateway) instrument(protocol string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := g.now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h(sw, r)
		g.metrics.duration.WithLabelValues(protocol, strconv.Itoa(sw.status)).Observe(g.now().Sub(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
