package otlp

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/trolly-logs/trolly/ingest"
)

// server stands in for the gateway: it reads the body as the gateway does, decodes it and
// answers in the request's encoding. The first `refuse` requests get 429.
type server struct {
	lim Limits

	mu       sync.Mutex
	refuse   int
	requests int
	records  []ingest.Record
	services []string
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	enc, ok := EncodingOf(r.Header.Get("Content-Type"))
	if !ok {
		s.fail(w, JSON, http.StatusUnsupportedMediaType, "unsupported Content-Type")
		return
	}
	if s.refuse > 0 {
		s.refuse--
		w.Header().Set("Retry-After", "1")
		s.fail(w, enc, http.StatusTooManyRequests, "over the tenant's rate, retry later")
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			s.fail(w, enc, http.StatusBadRequest, err.Error())
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		s.fail(w, enc, http.StatusBadRequest, err.Error())
		return
	}
	req, err := Decode(b, enc, s.lim)
	if err != nil {
		s.fail(w, enc, HTTPStatus(err), err.Error())
		return
	}
	s.records = append(s.records, req.Records...)
	s.services = append(s.services, req.Services...)
	w.Header().Set("Content-Type", enc.ContentType())
	_, _ = w.Write(req.Response(enc))
}

func (s *server) fail(w http.ResponseWriter, enc Encoding, code int, msg string) {
	w.Header().Set("Content-Type", enc.ContentType())
	w.WriteHeader(code)
	_, _ = w.Write(ErrorResponse(enc, code, msg))
}

// collector keeps the records a logger emits, so that the test exports them itself and
// sees the exporter's error.
type collector struct{ recs []sdklog.Record }

func (c *collector) OnEmit(_ context.Context, r *sdklog.Record) error {
	c.recs = append(c.recs, r.Clone())
	return nil
}
func (c *collector) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (c *collector) Shutdown(context.Context) error                         { return nil }
func (c *collector) ForceFlush(context.Context) error                       { return nil }

// emit logs n records through the SDK with a resource and a scope, and returns them.
func emit(t *testing.T, n int) []sdklog.Record {
	t.Helper()
	res := resource.NewSchemaless(
		attribute.String("service.name", "checkout"),
		attribute.String("service.version", "1.4.2"),
		attribute.String("host.name", "web-3"),
		attribute.String("team.owner", "payments"),
	)
	c := &collector{}
	lp := sdklog.NewLoggerProvider(sdklog.WithResource(res), sdklog.WithProcessor(c))
	logger := lp.Logger("github.com/acme/checkout")
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c},
		SpanID:     trace.SpanID{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74},
		TraceFlags: trace.FlagsSampled,
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	for i := range n {
		var r log.Record
		r.SetTimestamp(time.Unix(1714557600, int64(i)))
		r.SetSeverity(log.SeverityWarn)
		r.SetSeverityText("warning")
		r.SetBody(attribute.StringValue("order " + strconv.Itoa(i) + " delayed"))
		r.AddAttributes(
			attribute.Int("order.id", i),
			attribute.Bool("gift", i%2 == 0),
			attribute.String("exception.type", "Timeout"),
			attribute.Slice("items", attribute.StringValue("a"), attribute.Int64Value(2)),
		)
		logger.Emit(ctx, r)
	}
	var r log.Record
	r.SetBody(attribute.MapValue(attribute.String("msg", "structured"), attribute.Int("code", 51)))
	logger.Emit(context.Background(), r)
	return c.recs
}

func exporter(t *testing.T, url string) *otlploghttp.Exporter {
	t.Helper()
	exp, err := otlploghttp.New(context.Background(),
		otlploghttp.WithEndpointURL(url+"/v1/logs"),
		otlploghttp.WithCompression(otlploghttp.GzipCompression),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: true, InitialInterval: time.Millisecond, MaxInterval: time.Second, MaxElapsedTime: time.Minute}),
	)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, exp.Shutdown(context.Background())) })
	return exp
}

func TestExporter(t *testing.T) {
	srv := &server{lim: Limits{MaxLineBytes: 1000, MaxRecords: 100}, refuse: 1}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	recs := emit(t, 3)
	require.NoError(t, exporter(t, ts.URL).Export(context.Background(), recs))

	srv.mu.Lock()
	defer srv.mu.Unlock()
	require.Equal(t, 2, srv.requests, "the exporter retries after 429")
	require.Len(t, srv.records, 4)
	require.Equal(t, []string{"checkout", "checkout", "checkout", "checkout"}, srv.services)
	for i, r := range srv.records[:3] {
		require.Equal(t, "order "+strconv.Itoa(i)+" delayed", string(r.Data))
		require.False(t, r.JSON)
		require.Equal(t, map[string]string{
			"service.name":      "checkout",
			"service.version":   "1.4.2",
			"host.name":         "web-3",
			"labels.team_owner": "payments",
			"log.logger":        "github.com/acme/checkout",
			"@timestamp":        time.Unix(1714557600, int64(i)).UTC().Format(time.RFC3339Nano),
			"log.level":         "warning",
			"event.severity":    "13",
			"trace.id":          "5b8efff798038103d269b633813fc60c",
			"span.id":           "eee19b7ec3c1b174",
			"labels.order_id":   strconv.Itoa(i),
			"labels.gift":       strconv.FormatBool(i%2 == 0),
			"labels.items":      `["a",2]`,
			"error.type":        "Timeout",
		}, r.Fields)
	}
	last := srv.records[3]
	require.True(t, last.JSON)
	require.JSONEq(t, `{"msg":"structured","code":51}`, string(last.Data))
	require.NotContains(t, last.Fields, "trace.id")
	require.Contains(t, last.Fields, "@timestamp", "the SDK sets the observed time")
}

func TestExporterRefused(t *testing.T) {
	tests := []struct {
		name string
		lim  Limits
		kept int
		errs []string
	}{
		{"too many records", Limits{MaxRecords: 2}, 0, []string{"413 Request Entity Too Large", "more than 2 log records, over the limit of 2 per request"}},
		{"one body too long", Limits{MaxLineBytes: 15}, 2, []string{"OTLP partial success", "log_records[2]: the body is 30 bytes, over the limit of 15 bytes", "(1 logs rejected)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &server{lim: tt.lim}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			err := exporter(t, ts.URL).Export(context.Background(), emit(t, 2))
			for _, want := range tt.errs {
				require.ErrorContains(t, err, want)
			}
			srv.mu.Lock()
			defer srv.mu.Unlock()
			require.Equal(t, 1, srv.requests, "no retry")
			require.Len(t, srv.records, tt.kept)
		})
	}
}
