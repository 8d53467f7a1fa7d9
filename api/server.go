package api

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/trolly-logs/trolly/internal/httpx"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

// Server serves the API: gRPC and REST on one listener.
type Server struct {
	cfg    Config
	log    *slog.Logger
	grpc   *grpc.Server
	inproc *bufconn.Listener
	conn   *grpc.ClientConn
	health *httpx.Health
	mux    *http.ServeMux
}

// New builds the API over the tenant directory and the search backend. cfg must have passed
// Validate.
func New(cfg Config, dir tenant.Directory, backend search.Backend, logger *slog.Logger, reg prometheus.Registerer) (*Server, error) {
	logger = logger.With("component", "api")
	s := &Server{cfg: cfg, log: logger, health: &httpx.Health{}, inproc: bufconn.Listen(1 << 20)}
	m := newMetrics(reg)
	s.grpc = grpc.NewServer(grpc.ChainUnaryInterceptor(
		m.interceptor(logger),
		authInterceptor(dir, logger),
	))
	trollyv1.RegisterSearchServiceServer(s.grpc, &searchService{
		backend: backend, defaultRange: cfg.DefaultRange, log: logger, now: time.Now,
	})

	// REST calls reach the gRPC server through an in-process connection, so they pass the
	// same interceptors as gRPC calls.
	conn, err := grpc.NewClient("passthrough:///trolly-api",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.inproc.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("connect REST mapping to gRPC: %w", err)
	}
	s.conn = conn
	gw := runtime.NewServeMux(
		runtime.WithErrorHandler(writeRESTError),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
		}),
	)
	if err := trollyv1.RegisterSearchServiceHandler(context.Background(), gw, conn); err != nil {
		return nil, fmt.Errorf("register REST mapping: %w", err)
	}

	s.mux = http.NewServeMux()
	s.mux.Handle("/api/v1/", gw)
	s.mux.HandleFunc("GET /api/openapi.json", serveOpenAPI)
	s.mux.HandleFunc("/api/", routeNotFound)
	s.health.Register(s.mux)
	s.health.SetReady(true)
	return s, nil
}

// Handler routes gRPC requests to the gRPC server and everything else to REST.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			s.grpc.ServeHTTP(w, r)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}

// Serve serves the API on ln until ctx ends, then lets calls in flight finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go func() { _ = s.grpc.Serve(s.inproc) }() // returns when the server stops
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true) // gRPC clients speak HTTP/2 with prior knowledge
	srv := &http.Server{
		Handler:           s.Handler(),
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	go func() {
		<-ctx.Done()
		s.health.SetReady(false)
	}()
	s.log.Info("api listener started", "addr", ln.Addr().String())
	err := httpx.Serve(ctx, srv, ln, s.cfg.ShutdownGrace)
	s.grpc.GracefulStop()
	if cerr := s.conn.Close(); err == nil {
		err = cerr
	}
	return err
}
