package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trolly-logs/trolly/internal/httpx"
)

// serveAdmin serves /metrics, /healthz, /readyz and /debug/pprof/ on the admin listener.
func serveAdmin(ctx context.Context, ln net.Listener, cfg httpx.Config, reg *prometheus.Registry, health *httpx.Health, log *slog.Logger) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	health.Register(mux)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	guard := httpx.NewGuard("admin", cfg, reg)
	srv := guard.Server(mux)
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	return httpx.Serve(ctx, srv, guard.Listener(ln), time.Second)
}
