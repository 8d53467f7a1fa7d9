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
	"sync"
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

	mu     sync.Mutex
	checks []func() error
}

// SetReady marks the process ready or not.
func (h *Health) SetReady(ok bool) { h.ready.Store(ok) }

// Check adds a condition of readiness: the process is not ready while check fails, and
// /readyz gives its error as a reason. Checks must be quick: each /readyz runs them all.
func (h *Health) Check(check func() error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks = append(h.checks, check)
}

// Ready reports whether the process takes traffic.
func (h *Health) Ready() bool { return h.ready.Load() && len(h.failing()) == 0 }

// failing returns the errors of the checks that fail.
func (h *Health) failing() []string {
	h.mu.Lock()
	checks := h.checks
	h.mu.Unlock()
	var out []string
	for _, c := range checks {
		if err := c(); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// Register adds /healthz and /readyz to mux.
func (h *Health) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !h.ready.Load() {
			WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
			return
		}
		if reasons := h.failing(); len(reasons) > 0 {
			WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "reasons": reasons})
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
