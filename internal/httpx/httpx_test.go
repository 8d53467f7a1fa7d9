package httpx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, http.StatusServiceUnavailable, Error{Code: "unavailable", Message: "full", Line: 3}, 1500*time.Millisecond)
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "2", w.Header().Get("Retry-After"), "rounded up to whole seconds")
	require.Equal(t, "application/json", w.Header().Get("Content-Type"))
	require.JSONEq(t, `{"code":"unavailable","message":"full","line":3}`, w.Body.String())

	w = httptest.NewRecorder()
	WriteError(w, http.StatusNotFound, Error{Code: "not_found", Message: "no"}, 0)
	require.Empty(t, w.Header().Get("Retry-After"))
	require.JSONEq(t, `{"code":"not_found","message":"no"}`, w.Body.String())
}

func TestHealth(t *testing.T) {
	var h Health
	mux := http.NewServeMux()
	h.Register(mux)
	get := func(path string) int {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code
	}
	require.Equal(t, http.StatusOK, get("/healthz"))
	require.Equal(t, http.StatusServiceUnavailable, get("/readyz"))
	h.SetReady(true)
	require.Equal(t, http.StatusOK, get("/readyz"))
}

// A failing check makes /readyz answer 503 with its reason, and 200 again once it passes.
func TestHealthChecks(t *testing.T) {
	var h Health
	h.SetReady(true)
	mux := http.NewServeMux()
	h.Register(mux)
	get := func() (int, string) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		return w.Code, w.Body.String()
	}
	var failing error
	h.Check(func() error { return failing })
	h.Check(func() error { return nil })
	code, _ := get()
	require.Equal(t, http.StatusOK, code)

	failing = errors.New("archiver: every write has failed for 2m0s: disk full")
	code, body := get()
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.JSONEq(t, `{"status":"not ready","reasons":["archiver: every write has failed for 2m0s: disk full"]}`, body)

	failing = nil
	code, _ = get()
	require.Equal(t, http.StatusOK, code)
}

// TestServeLetsRequestsFinish stops the server while a request is in flight: the request
// completes, and Serve returns once it has.
func TestServeLetsRequestsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		w.WriteHeader(http.StatusAccepted)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, srv, ln, 10*time.Second) }()

	answered := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-started
	cancel()
	select {
	case <-served:
		t.Fatal("Serve returned with a request in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	require.Equal(t, http.StatusAccepted, <-answered)
	require.NoError(t, <-served)
}
