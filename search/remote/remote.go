// Package remote lets processes that do not own the embedded search engine search it: the
// process that runs the indexer, which alone opens the engine's storage, serves its
// searches on an internal listener, and an API process elsewhere uses Client as its
// search.Backend. The caller names the tenant: the listener must be reachable by Trolly's
// processes only, and every request carries the shared token.
package remote

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// searchPath is the endpoint of searches.
const searchPath = "/internal/v1/search"

// maxRequestBytes bounds a request's body: a query and a few fields.
const maxRequestBytes = 1 << 20

type request struct {
	Tenant string    `json:"tenant"`
	Q      string    `json:"q"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Limit  int       `json:"limit"`
}

type hit struct {
	ID        string          `json:"id"`
	Index     string          `json:"index"`
	Timestamp time.Time       `json:"timestamp"`
	Source    json.RawMessage `json:"source"`
}

type response struct {
	Total int64 `json:"total"`
	Hits  []hit `json:"hits"`
}

type problem struct {
	Error string `json:"error"`
	// Code is search.TailCode's, for a refused tail.
	Code string `json:"code,omitempty"`
}

// Handler serves b's searches and the live tails of tails (nil: none) to requests that
// carry token as a bearer token.
func Handler(b search.Backend, tails search.Tailer, token string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tailPath, func(w http.ResponseWriter, r *http.Request) {
		if authorized(w, r, token) {
			serveTail(w, r, tails, log)
		}
	})
	mux.HandleFunc("POST "+searchPath, func(w http.ResponseWriter, r *http.Request) {
		if !authorized(w, r, token) {
			return
		}
		req, n, ok := readRequest(w, r)
		if !ok {
			return
		}
		res, err := b.Search(r.Context(), search.Request{Tenant: req.Tenant, Query: n, From: req.From, To: req.To, Limit: req.Limit})
		if err != nil {
			if r.Context().Err() == nil {
				log.Error("internal search", "tenant", req.Tenant, "err", err)
			}
			writeJSON(w, http.StatusInternalServerError, problem{Error: "search: " + err.Error()})
			return
		}
		out := response{Total: res.Total, Hits: make([]hit, len(res.Hits))}
		for i, h := range res.Hits {
			out.Hits[i] = hit{ID: h.ID, Index: h.Index, Timestamp: h.Timestamp, Source: h.Source}
		}
		writeJSON(w, http.StatusOK, out)
	})
	return mux
}

// readRequest reads a request and its query, or answers 400.
func readRequest(w http.ResponseWriter, r *http.Request) (request, query.Node, bool) {
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, problem{Error: "request: " + err.Error()})
		return req, nil, false
	}
	n, err := query.Parse(req.Q)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, problem{Error: "q: " + err.Error()})
		return req, nil, false
	}
	return req, n, true
}

// authorized answers 401 unless r carries token.
func authorized(w http.ResponseWriter, r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
		writeJSON(w, http.StatusUnauthorized, problem{Error: "a bearer token equal to search.embedded.token is required"})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Client searches the engine of another process; it cannot write or drop tenants, which
// only the owning process does.
type Client struct {
	url, tailURL string
	token        string
	http         *http.Client
}

var (
	_ search.Backend = (*Client)(nil)
	_ search.Tailer  = (*Client)(nil)
)

// errNotOwner fails the calls that only the process owning the storage serves.
var errNotOwner = errors.New("the embedded search engine belongs to the process running the indexer: this process only searches it (search.embedded.url)")

// NewClient searches the engine served at baseURL (http://host:port).
func NewClient(baseURL, token string) *Client {
	base := strings.TrimSuffix(baseURL, "/")
	return &Client{url: base + searchPath, tailURL: base + tailPath, token: token, http: &http.Client{}}
}

// Search sends req; its context bounds the call.
func (c *Client) Search(ctx context.Context, req search.Request) (search.Result, error) {
	body, err := json.Marshal(request{Tenant: req.Tenant, Q: query.Format(req.Query), From: req.From, To: req.To, Limit: req.Limit})
	if err != nil {
		return search.Result{}, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return search.Result{}, err
	}
	hreq.Header.Set("Authorization", "Bearer "+c.token)
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		return search.Result{}, fmt.Errorf("search the indexer's engine: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return search.Result{}, fmt.Errorf("search the indexer's engine: %w", failure(resp))
	}
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return search.Result{}, fmt.Errorf("search the indexer's engine: %w", err)
	}
	res := search.Result{Total: out.Total, Hits: make([]search.Hit, len(out.Hits))}
	for i, h := range out.Hits {
		res.Hits[i] = search.Hit{ID: h.ID, Index: h.Index, Timestamp: h.Timestamp, Source: h.Source}
	}
	return res, nil
}

// failure is the error of a refused request.
func failure(resp *http.Response) error {
	var p problem
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(msg, &p) == nil && p.Error != "" {
		if err := search.TailError(p.Code); err != nil {
			return fmt.Errorf("%s: %w", resp.Status, err)
		}
		return fmt.Errorf("%s: %s", resp.Status, p.Error)
	}
	return errors.New(resp.Status)
}

// Write fails: writes go to the owning process's storage, through the queue.
func (c *Client) Write(context.Context, string, []search.Doc) error { return errNotOwner }

// DropTenant fails: the owning process's bookkeeper drops tenants.
func (c *Client) DropTenant(context.Context, string) (int, error) { return 0, errNotOwner }

// Close releases idle connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}
