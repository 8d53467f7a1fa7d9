package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/trolly-logs/trolly/api/auth"
	"github.com/trolly-logs/trolly/internal/httpx"
	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

// Deps are what the API serves from.
type Deps struct {
	// Catalog stores tenants, plans, users, streams, keys and the audit log.
	Catalog tenant.Catalog
	// Directory serves tenants from memory (a *tenant.Cache), for searches.
	Directory tenant.Directory
	// Auth signs people in and authenticates every call's credential.
	Auth *auth.Service
	// Backend searches events.
	Backend search.Backend
	// Gate bounds the searches the process runs at once; nil: a gate of the defaults.
	Gate *search.Gate
	// Tails opens live tails: the indexer's hub, or a client of it; nil: none are served.
	Tails search.Tailer
}

// Server serves the API: gRPC and REST on one listener.
type Server struct {
	cfg      Config
	log      *slog.Logger
	cat      tenant.Catalog
	dir      tenant.Directory
	auth     *auth.Service
	backend  search.Backend
	now      func() time.Time
	searches *inflight
	gate     *search.Gate
	timeouts *prometheus.CounterVec
	overPlan *prometheus.CounterVec
	tails    search.Tailer
	// tailsOpen counts the tails served; stopping ends when Serve's context does, and
	// ends the tails with it, which would hold the shutdown up otherwise.
	tailsOpen   *prometheus.GaugeVec
	stopping    context.Context
	stopStreams context.CancelFunc
	grpc        *grpc.Server
	inproc      *bufconn.Listener
	conn        *grpc.ClientConn
	health      *httpx.Health
	guard       *httpx.Guard
	mux         *http.ServeMux
	// trusted are the proxies whose X-Forwarded-For is believed.
	trusted []netip.Prefix
}

// New builds the API. cfg must have passed Validate.
func New(cfg Config, deps Deps, logger *slog.Logger, reg prometheus.Registerer) (*Server, error) {
	if deps.Catalog == nil || deps.Directory == nil || deps.Auth == nil || deps.Backend == nil {
		return nil, errors.New("build api: every dependency is required")
	}
	if cfg.PasswordParams == (tenant.PasswordParams{}) {
		cfg.PasswordParams = tenant.DefaultPasswordParams
	}
	trusted, err := parseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("build api: trusted_proxies: %w", err)
	}
	logger = logger.With("component", "api")
	s := &Server{trusted: trusted,
		cfg: cfg, log: logger, cat: deps.Catalog, dir: deps.Directory, auth: deps.Auth, backend: deps.Backend,
		now: time.Now, searches: newInflight(), health: &httpx.Health{}, inproc: bufconn.Listen(1 << 20),
		tails: deps.Tails,
	}
	s.cfg.Tail.ApplyDefaults()
	s.stopping, s.stopStreams = context.WithCancel(context.Background())
	s.guard = httpx.NewGuard("api", cfg.HTTP, reg)
	if s.gate = deps.Gate; s.gate == nil {
		g, err := search.NewGate(search.GateConfig{}, reg)
		if err != nil {
			return nil, fmt.Errorf("build api: %w", err)
		}
		s.gate = g
	}
	m := newMetrics(reg)
	s.timeouts, s.overPlan, s.tailsOpen = m.searchTimeouts, m.searchOverPlan, m.tailsOpen
	s.grpc = grpc.NewServer(
		grpc.ChainUnaryInterceptor(
			m.interceptor(logger),
			authInterceptor(methodRules(), deps.Auth, trusted, logger),
		),
		grpc.ChainStreamInterceptor(
			m.streamInterceptor(logger),
			authStreamInterceptor(methodRules(), deps.Auth, trusted, logger),
		),
	)
	s.register()
	if err := s.restMapping(); err != nil {
		return nil, err
	}
	s.health.SetReady(true)
	return s, nil
}

// register registers every service on the gRPC server.
func (s *Server) register() {
	trollyv1.RegisterSearchServiceServer(s.grpc, &searchService{Server: s})
	trollyv1.RegisterTailServiceServer(s.grpc, &tailService{Server: s})
	trollyv1.RegisterAuthServiceServer(s.grpc, &authService{Server: s})
	trollyv1.RegisterPlanServiceServer(s.grpc, &planService{Server: s})
	trollyv1.RegisterTenantServiceServer(s.grpc, &tenantService{Server: s})
	trollyv1.RegisterUserServiceServer(s.grpc, &userService{Server: s})
	trollyv1.RegisterStreamServiceServer(s.grpc, &streamService{Server: s})
	trollyv1.RegisterKeyServiceServer(s.grpc, &keyService{Server: s})
	trollyv1.RegisterCertificateServiceServer(s.grpc, &certService{Server: s})
	trollyv1.RegisterAuditServiceServer(s.grpc, &auditService{Server: s})
}

// restMapping serves REST through grpc-gateway. REST calls reach the gRPC server through an
// in-process connection, so they pass the same interceptors as gRPC calls.
func (s *Server) restMapping() error {
	conn, err := grpc.NewClient("passthrough:///trolly-api",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return s.inproc.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connect REST mapping to gRPC: %w", err)
	}
	s.conn = conn
	gw := runtime.NewServeMux(
		runtime.WithErrorHandler(writeRESTError),
		runtime.WithRoutingErrorHandler(routingError),
		runtime.WithMetadata(s.gatewayMetadata),
		runtime.WithIncomingHeaderMatcher(restHeader),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{UseProtoNames: true, EmitUnpopulated: true},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: true},
		}),
	)
	for _, register := range []func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
		trollyv1.RegisterSearchServiceHandler, trollyv1.RegisterAuthServiceHandler, trollyv1.RegisterPlanServiceHandler,
		trollyv1.RegisterTenantServiceHandler, trollyv1.RegisterUserServiceHandler, trollyv1.RegisterStreamServiceHandler,
		trollyv1.RegisterKeyServiceHandler, trollyv1.RegisterCertificateServiceHandler, trollyv1.RegisterAuditServiceHandler,
	} {
		if err := register(context.Background(), gw, conn); err != nil {
			return fmt.Errorf("register REST mapping: %w", err)
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /api/v1/tail", s.serveTail) // server-sent events, which grpc-gateway does not write
	s.mux.Handle("/api/v1/", gw)
	s.mux.HandleFunc("GET /api/v1/search/export", s.serveExport)
	s.mux.HandleFunc("GET /api/openapi.json", serveOpenAPI)
	s.mux.HandleFunc("/api/", routeNotFound)
	s.health.Register(s.mux)
	return nil
}

// Handler routes gRPC requests to the gRPC server and everything else to REST.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
			if r.URL.Path == trollyv1.TailService_Tail_FullMethodName {
				r.Body = s.outlive(w, r.Body)
			}
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
	srv := s.guard.Server(s.Handler())
	srv.Protocols = protocols
	srv.ErrorLog = slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)
	go func() {
		<-ctx.Done()
		s.health.SetReady(false)
		s.stopStreams()
	}()
	s.log.Info("api listener started", "addr", ln.Addr().String())
	err := httpx.Serve(ctx, srv, s.guard.Listener(ln), s.cfg.ShutdownGrace)
	s.grpc.GracefulStop()
	if cerr := s.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// outlive gives a tail's answer until max_duration and then some, instead of write_timeout:
// at once, and again once the request is read, since the guard then sets write_timeout.
func (s *Server) outlive(w http.ResponseWriter, body io.ReadCloser) io.ReadCloser {
	rc := http.NewResponseController(w)
	until := time.Now().Add(s.cfg.Tail.MaxDuration + s.cfg.HTTP.WriteTimeout)
	_ = rc.SetWriteDeadline(until)
	return &outliving{ReadCloser: body, extend: func() { _ = rc.SetWriteDeadline(until) }}
}

type outliving struct {
	io.ReadCloser
	extend func()
}

func (o *outliving) Read(p []byte) (int, error) {
	n, err := o.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		o.extend()
	}
	return n, err
}
