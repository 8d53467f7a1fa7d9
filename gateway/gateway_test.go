package gateway

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/queue/memory"
	"github.com/trolly-logs/trolly/tenant"
)

type fixture struct {
	gw  *Gateway
	q   *memory.Queue
	reg *prometheus.Registry
	now time.Time
}

func newFixture(t testing.TB, queueBytes int64, mutate func(*Config)) *fixture {
	t.Helper()
	dir, err := tenant.NewStatic([]tenant.Config{
		{ID: "demo", Keys: []tenant.KeyConfig{
			{Name: "in", Scope: tenant.ScopeIngest, Hash: tenant.HashKey("demo-in")},
			{Name: "rd", Scope: tenant.ScopeRead, Hash: tenant.HashKey("demo-rd")},
		}, Streams: []tenant.StreamConfig{{Name: "web", SourceType: "nginx_access"}, {Name: "app", SourceType: "json"}}},
		{ID: "acme", Limits: tenant.Limits{MaxLineBytes: 50}, Keys: []tenant.KeyConfig{{Name: "in", Scope: tenant.ScopeIngest, Hash: tenant.HashKey("acme-in")}},
			Streams: []tenant.StreamConfig{{Name: "other", SourceType: "text"}}},
		{ID: "slow", Limits: tenant.Limits{IngestBytesPerSecond: 1000, IngestBurstBytes: 1000},
			Keys:    []tenant.KeyConfig{{Name: "in", Scope: tenant.ScopeIngest, Hash: tenant.HashKey("slow-in")}},
			Streams: []tenant.StreamConfig{{Name: "web", SourceType: "text"}}},
	})
	require.NoError(t, err)
	var cfg Config
	cfg.ApplyDefaults()
	cfg.MaxBodyBytes, cfg.MaxLineBytes = 1000, 100
	if mutate != nil {
		mutate(&cfg)
	}
	return fixtureOn(t, dir, queueBytes, cfg)
}

// fixtureOn returns a gateway of cfg over dir on a memory queue of queueBytes (0: the
// default), with a clock that stands still until the test moves it.
func fixtureOn(t testing.TB, dir tenant.Directory, queueBytes int64, cfg Config) *fixture {
	t.Helper()
	qc := memory.DefaultConfig()
	if queueBytes > 0 {
		qc.MaxBytes = queueBytes
	}
	q, err := memory.New(qc, nil)
	require.NoError(t, err)
	t.Cleanup(func() { q.Close() })
	require.NoError(t, q.Declare(context.Background(), queue.TopicRaw, queue.GroupProcessor))
	require.NoError(t, cfg.Validate())
	reg := prometheus.NewRegistry()
	f := &fixture{q: q, reg: reg, now: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)}
	f.gw = New(cfg, dir, q, slog.New(slog.DiscardHandler), reg)
	f.gw.now = func() time.Time { return f.now }
	return f
}

// ackAll acknowledges every raw batch until the benchmark ends, as the processor would.
func (f *fixture) ackAll(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	c, err := f.q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		for {
			ds, err := c.Receive(ctx, 64)
			if err != nil {
				return
			}
			for _, d := range ds {
				_ = d.Ack()
			}
		}
	}()
}

type request struct {
	stream, key, contentType, encoding string
	body                               []byte
}

func (f *fixture) post(t *testing.T, r request) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/ingest/v1/streams/"+r.stream, bytes.NewReader(r.body))
	req.RemoteAddr = "192.0.2.7:4711"
	if r.key != "" {
		req.Header.Set("Authorization", "Bearer "+r.key)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.encoding != "" {
		req.Header.Set("Content-Encoding", r.encoding)
	}
	w := httptest.NewRecorder()
	f.gw.Handler().ServeHTTP(w, req)
	return w
}

// received returns the raw batches on the queue, acking them.
func (f *fixture) received(t *testing.T) []*trollyv1.RawBatch {
	t.Helper()
	c, err := f.q.Subscribe(context.Background(), queue.TopicRaw, queue.GroupProcessor)
	require.NoError(t, err)
	defer c.Close()
	var out []*trollyv1.RawBatch
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		ds, err := c.Receive(ctx, 100)
		cancel()
		if err != nil {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			return out
		}
		for _, d := range ds {
			b := &trollyv1.RawBatch{}
			require.NoError(t, proto.Unmarshal(d.Body, b))
			require.Equal(t, b.GetTenantId()+"/"+b.GetStream(), d.Key)
			out = append(out, b)
			require.NoError(t, d.Ack())
		}
	}
}

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := io.WriteString(w, s)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

func TestAccepted(t *testing.T) {
	tests := []struct {
		name    string
		req     request
		tenant  string
		records []string
		format  trollyv1.RecordFormat
	}{
		{"text", request{stream: "web", key: "demo-in", contentType: "text/plain", body: []byte("a\r\nb\n\nc")}, "demo", []string{"a", "b", "c"}, trollyv1.RecordFormat_RECORD_FORMAT_TEXT},
		{"no content type is text", request{stream: "web", key: "demo-in", body: []byte("a\n")}, "demo", []string{"a"}, trollyv1.RecordFormat_RECORD_FORMAT_TEXT},
		{"curl's default type is text", request{stream: "web", key: "demo-in", contentType: "application/x-www-form-urlencoded", body: []byte("a\n")}, "demo", []string{"a"}, trollyv1.RecordFormat_RECORD_FORMAT_TEXT},
		{"ndjson", request{stream: "app", key: "demo-in", contentType: "application/x-ndjson", body: []byte(`{"a":1}` + "\n" + `{"organization":{"id":"acme"}}`)}, "demo", []string{`{"a":1}`, `{"organization":{"id":"acme"}}`}, trollyv1.RecordFormat_RECORD_FORMAT_JSON},
		{"gzip", request{stream: "web", key: "demo-in", contentType: "text/plain; charset=utf-8", encoding: "gzip", body: gz(t, "x\ny\n")}, "demo", []string{"x", "y"}, trollyv1.RecordFormat_RECORD_FORMAT_TEXT},
		{"tenant from key", request{stream: "other", key: "acme-in", body: []byte("z\n")}, "acme", []string{"z"}, trollyv1.RecordFormat_RECORD_FORMAT_TEXT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.post(t, tt.req)
			require.Equal(t, http.StatusAccepted, w.Code, w.Body.String())
			require.JSONEq(t, `{"accepted":`+jsonInt(len(tt.records))+`}`, w.Body.String())
			batches := f.received(t)
			require.Len(t, batches, 1)
			b := batches[0]
			require.Equal(t, tt.tenant, b.GetTenantId())
			require.Equal(t, tt.req.stream, b.GetStream())
			require.Len(t, b.GetId(), 26, "a ULID")
			require.Equal(t, "http", b.GetTransport())
			require.Equal(t, "192.0.2.7:4711", b.GetRemoteAddr())
			require.True(t, f.now.Equal(b.GetReceivedAt().AsTime()))
			var got []string
			for _, r := range b.GetRecords() {
				got = append(got, string(r.GetData()))
				require.Equal(t, tt.format, r.GetFormat())
			}
			require.Equal(t, tt.records, got)
			require.Equal(t, float64(len(tt.records)), testutil.ToFloat64(f.gw.metrics.records.WithLabelValues(tt.tenant, "native")))
		})
	}
}

func jsonInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestSourceTypeFromStream(t *testing.T) {
	f := newFixture(t, 0, nil)
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "app", key: "demo-in", contentType: "application/x-ndjson", body: []byte("{}\n")}).Code)
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: []byte("l\n")}).Code)
	types := map[string]string{}
	for _, b := range f.received(t) {
		types[b.GetStream()] = b.GetSourceType()
	}
	require.Equal(t, map[string]string{"app": "json", "web": "nginx_access"}, types)
}

func TestEmptyBodyPublishesNothing(t *testing.T) {
	f := newFixture(t, 0, nil)
	w := f.post(t, request{stream: "web", key: "demo-in", body: []byte("\n\r\n")})
	require.Equal(t, http.StatusAccepted, w.Code)
	require.JSONEq(t, `{"accepted":0}`, w.Body.String())
	require.Empty(t, f.received(t))
}

func TestRefused(t *testing.T) {
	bomb := gz(t, strings.Repeat("a", 2000)) // small compressed, over the limit once inflated
	tests := []struct {
		name   string
		req    request
		status int
		code   string
		msg    string
	}{
		{"no key", request{stream: "web"}, 401, "unauthenticated", "Bearer"},
		{"unknown key", request{stream: "web", key: "nope"}, 401, "unauthenticated", "invalid API key"},
		{"read key", request{stream: "web", key: "demo-rd"}, 403, "forbidden", `scopes ["read"]`},
		{"unknown stream", request{stream: "nope", key: "demo-in"}, 404, "not_found", `stream "nope"`},
		{"other tenant's stream", request{stream: "other", key: "demo-in"}, 404, "not_found", `stream "other"`},
		{"unsupported type", request{stream: "web", key: "demo-in", contentType: "application/xml"}, 415, "unsupported_media_type", "application/x-ndjson"},
		{"unsupported encoding", request{stream: "web", key: "demo-in", encoding: "br"}, 415, "unsupported_media_type", "br"},
		{"body too large", request{stream: "web", key: "demo-in", body: bytes.Repeat([]byte("a\n"), 501)}, 413, "too_large", "1000 bytes"},
		{"inflated body too large", request{stream: "web", key: "demo-in", encoding: "gzip", body: bomb}, 413, "too_large", "after decompression"},
		{"line too long", request{stream: "web", key: "demo-in", body: []byte("ok\n" + strings.Repeat("a", 101))}, 413, "too_large", "over the limit of 100 bytes"},
		{"line over the plan's limit", request{stream: "other", key: "acme-in", body: []byte("ok\n" + strings.Repeat("a", 51))}, 413, "too_large", "over the limit of 50 bytes"},
		{"bad gzip", request{stream: "web", key: "demo-in", encoding: "gzip", body: []byte("plain")}, 400, "invalid_body", "gzip"},
		{"bad ndjson", request{stream: "app", key: "demo-in", contentType: "application/x-ndjson", body: []byte("{}\n{x}\n")}, 400, "invalid_body", "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 0, nil)
			w := f.post(t, tt.req)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			var e struct{ Code, Message string }
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			require.Equal(t, tt.code, e.Code)
			require.Contains(t, e.Message, tt.msg)
			require.Empty(t, f.received(t), "nothing is published for a refused request")
		})
	}
}

func TestQueueFull(t *testing.T) {
	f := newFixture(t, 1000, nil) // room for one small batch, not two
	body := []byte(strings.Repeat("0123456789\n", 30))
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: body}).Code)
	w := f.post(t, request{stream: "web", key: "demo-in", body: body})
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	require.Contains(t, w.Body.String(), `"code":"unavailable"`)
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.rejected.WithLabelValues("demo", "native", "unavailable")))
	require.Len(t, f.received(t), 1, "the accepted batch is there, the refused one is not")
	require.Equal(t, http.StatusAccepted, f.post(t, request{stream: "web", key: "demo-in", body: body}).Code, "room again once consumed")
}

func TestHealth(t *testing.T) {
	f := newFixture(t, 0, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		w := httptest.NewRecorder()
		f.gw.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, w.Code, path)
	}
}

func TestServeDrainsOnCancel(t *testing.T) {
	f := newFixture(t, 0, nil)
	ln, err := netListen()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.gw.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/ingest/v1/streams/web"
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("a\n"))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer demo-in")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	_, err = http.Post(url, "text/plain", strings.NewReader("a\n"))
	require.Error(t, err, "the listener is closed")
}
