package gateway

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// tight gives the bodies in flight room for one largest body only.
func tight(c *Config) { c.MaxInflightBytes = c.MaxBodyBytes }

func TestInflightBudgetRefusesWithRetryAfter(t *testing.T) {
	f := newFixture(t, 0, tight)
	// A body still arriving holds the whole budget: its length is unknown, so it may be
	// as large as max_body_bytes.
	pr, pw := io.Pipe()
	req := httptest.NewRequest(http.MethodPost, "/ingest/v1/streams/app", pr)
	req.Header.Set("Authorization", "Bearer demo-in")
	req.Header.Set("Content-Type", "application/x-ndjson")
	held := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.gw.Handler().ServeHTTP(held, req)
	}()
	_, err := io.WriteString(pw, `{"n":1}`+"\n") // returns once the gateway has read it
	require.NoError(t, err)

	small := request{stream: "app", key: "demo-in", contentType: "application/x-ndjson", body: []byte(`{"n":2}` + "\n")}
	w := f.post(t, small)
	require.Equal(t, http.StatusServiceUnavailable, w.Code, w.Body.String())
	require.Equal(t, "1", w.Header().Get("Retry-After"))
	require.Contains(t, w.Body.String(), "gateway.max_inflight_bytes")

	require.NoError(t, pw.Close())
	<-done
	require.Equal(t, http.StatusAccepted, held.Code, held.Body.String())
	require.Equal(t, http.StatusAccepted, f.post(t, small).Code, "the budget is back")
	require.Equal(t, 1.0, testutil.ToFloat64(f.gw.metrics.inflightRefused))
}

func TestInflightBudgetIsReleasedOnEveryPath(t *testing.T) {
	tests := []struct {
		name       string
		queueBytes int64
		req        request
		status     int
	}{
		{name: "accepted", req: request{body: []byte("a\nb\n")}, status: http.StatusAccepted},
		{name: "unauthenticated", req: request{key: "-", body: []byte("a\n")}, status: http.StatusUnauthorized},
		{name: "over max_body_bytes", req: request{body: []byte(strings.Repeat("abcdefghi\n", 101))}, status: http.StatusRequestEntityTooLarge},
		{name: "gzip bomb", req: request{encoding: "gzip", body: gz(t, strings.Repeat("0", 1<<20))}, status: http.StatusRequestEntityTooLarge},
		{name: "not gzip", req: request{encoding: "gzip", body: []byte("plain\n")}, status: http.StatusBadRequest},
		{name: "truncated gzip", req: request{encoding: "gzip", body: gz(t, "a\nb\n")[:15]}, status: http.StatusBadRequest},
		{name: "bad line", req: request{contentType: "application/x-ndjson", body: []byte("{\n")}, status: http.StatusBadRequest},
		{name: "line too long", req: request{body: []byte(strings.Repeat("x", 200) + "\n")}, status: http.StatusRequestEntityTooLarge},
		{name: "queue full", queueBytes: 1, req: request{body: []byte("a\n")}, status: http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.queueBytes, tight)
			tt.req.stream = "web"
			switch tt.req.key {
			case "":
				tt.req.key = "demo-in"
			case "-":
				tt.req.key = ""
			}
			w := f.post(t, tt.req)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			require.Equal(t, 0.0, testutil.ToFloat64(f.gw.metrics.inflightBytes))
			require.True(t, f.gw.inflight.TryAcquire(f.gw.cfg.MaxInflightBytes), "the whole budget is free")
		})
	}
}
