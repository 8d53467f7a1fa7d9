package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type metrics struct {
	calls          *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	searchTimeouts *prometheus.CounterVec
	searchOverPlan *prometheus.CounterVec
	tailsOpen      *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		calls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_api_calls_total",
			Help: "API calls by method and gRPC code (REST calls included).",
		}, []string{"method", "code"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trolly_api_call_duration_seconds",
			Help:    "API call duration by method.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
		}, []string{"method"}),
		searchTimeouts: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_search_timeouts_total",
			Help: "Searches stopped at their plan's query_timeout, by tenant.",
		}, []string{"tenant"}),
		searchOverPlan: f.NewCounterVec(prometheus.CounterOpts{
			Name: "trolly_search_plan_refused_total",
			Help: "Searches refused because the tenant ran its plan's max_concurrent_queries already, by tenant.",
		}, []string{"tenant"}),
		tailsOpen: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "trolly_api_tails_open",
			Help: "Live tails the API serves, over gRPC and REST, by tenant.",
		}, []string{"tenant"}),
	}
}

// interceptor counts and times every call and logs the ones that fail on the server's side.
func (m *metrics) interceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		m.observe(log, info.FullMethod, start, err)
		return resp, err
	}
}

// streamInterceptor is interceptor for streaming calls, timed until they end.
func (m *metrics) streamInterceptor(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		start := time.Now()
		err := handler(srv, ss)
		m.observe(log, info.FullMethod, start, err)
		return err
	}
}

func (m *metrics) observe(log *slog.Logger, method string, start time.Time, err error) {
	code := status.Code(err)
	m.calls.WithLabelValues(method, code.String()).Inc()
	m.duration.WithLabelValues(method).Observe(time.Since(start).Seconds())
	switch code {
	case codes.OK, codes.InvalidArgument, codes.NotFound, codes.Unauthenticated, codes.PermissionDenied, codes.Canceled:
		log.Debug("call", "method", method, "code", code.String(), "duration", time.Since(start))
	default:
		log.Warn("call", "method", method, "code", code.String(), "duration", time.Since(start), "err", err)
	}
}
