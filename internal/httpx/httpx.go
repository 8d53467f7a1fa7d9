// Package httpx holds what Trolly's HTTP listeners share: serving until a context ends with a
// graceful shutdown, the Guard of their timeouts and connection caps, health endpoints, and
// the one JSON shape of every error answer.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Serve serves srv on ln until ctx ends, then shuts it down, letting requests in flight
// finish for up to grace.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}

// Error is the body of every error answer: a stable code to branch on and a message for
// people.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Line is the 1-based line of the request body the error is about, when there is one.
	Line int `json:"line,omitempty"`
}

// WriteError answers with status and e as JSON. retryAfter, when positive, is sent as
// Retry-After in whole seconds.
func WriteError(w http.ResponseWriter, status int, e Error, retryAfter time.Duration) {
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	}
	WriteJSON(w, status, e)
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}

// Health answers /healthz (the process runs) and /readyz (it takes traffic).
type Health struct {
	ready atomic.Bool
}

// SetReady marks the process ready or not.
func (h *Health) SetReady(ok bool) { h.ready.Store(ok) }

// Ready reports whether the process takes traffic.
func (h *Health) Ready() bool { return h.ready.Load() }

// Register adds /healthz and /readyz to mux.
func (h *Health) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !h.Ready() {
			WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
