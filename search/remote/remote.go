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

// The endpoints of the internal listener.
const (
	searchPath    = "/internal/v1/search"
	histogramPath = "/internal/v1/histogram"
	facetsPath    = "/internal/v1/facets"
	fieldsPath    = "/internal/v1/fields"
)

// maxRequestBytes bounds a request's body: a query and a few fields.
const maxRequestBytes = 1 << 20

type request struct {
	Tenant  string    `json:"tenant"`
	Q       string    `json:"q"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Limit   int       `json:"limit"`
	Oldest  bool      `json:"oldest,omitempty"`
	Cursor  string    `json:"cursor,omitempty"`
	Fields  []string  `json:"fields,omitempty"`
	NoTotal bool      `json:"no_total,omitempty"`
	// Of histograms.
	Interval time.Duration `json:"interval,omitempty"`
	By       string        `json:"by,omitempty"`
	Top      int           `json:"top,omitempty"`
}

type hit struct {
	ID        string          `json:"id"`
	Index     string          `json:"index"`
	Timestamp time.Time       `json:"timestamp"`
	Source    json.RawMessage `json:"source"`
}

type response struct {
	Total int64  `json:"total"`
	Hits  []hit  `json:"hits"`
	Next  string `json:"next,omitempty"`
}

type problem struct {
	Error string `json:"error"`
	// Code names the sentinel error a client returns for the problem: search.TailCode's
	// for a refused tail, or one of codes.
	Code string `json:"code,omitempty"`
}

// codes are the codes of the problems of searches, and the sentinel of each.
var codes = map[string]error{"bad_cursor": search.ErrBadCursor, "unsupported": search.ErrUnsupported}

func problemOf(err error) problem {
	p := problem{Error: err.Error()}
	for code, sentinel := range codes {
		if errors.Is(err, sentinel) {
			p.Code = code
		}
	}
	return p
}

// Handler serves b's searches and the live tails of tails (nil: none) to requests that
// carry token as a bearer token; the aggregate calls answer 501 when b is no
// search.Analyzer.
func Handler(b search.Backend, tails search.Tailer, token string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+tailPath, func(w http.ResponseWriter, r *http.Request) {
		if authorized(w, r, token) {
			serveTail(w, r, tails, log)
		}
	})
	an, _ := b.(search.Analyzer)
	serve := func(path string, call func(ctx context.Context, req search.Request, raw request) (any, error)) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			if !authorized(w, r, token) {
				return
			}
			raw, n, ok := readRequest(w, r)
			if !ok {
				return
			}
			req, err := decode(raw, n)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, problemOf(err))
				return
			}
			if path != searchPath && an == nil {
				writeJSON(w, http.StatusNotImplemented, problemOf(search.ErrUnsupported))
				return
			}
			out, err := call(r.Context(), req, raw)
			switch {
			case errors.Is(err, search.ErrBadCursor):
				writeJSON(w, http.StatusBadRequest, problemOf(err))
				return
			case err != nil:
				if r.Context().Err() == nil {
					log.Error("internal search", "path", path, "tenant", req.Tenant, "err", err)
				}
				writeJSON(w, http.StatusInternalServerError, problemOf(fmt.Errorf("search: %w", err)))
				return
			}
			writeJSON(w, http.StatusOK, out)
		})
	}
	serve(searchPath, func(ctx context.Context, req search.Request, _ request) (any, error) {
		res, err := b.Search(ctx, req)
		if err != nil {
			return nil, err
		}
		out := response{Total: res.Total, Hits: make([]hit, len(res.Hits))}
		for i, h := range res.Hits {
			out.Hits[i] = hit{ID: h.ID, Index: h.Index, Timestamp: h.Timestamp, Source: h.Source}
		}
		if res.Next != nil {
			out.Next = res.Next.Encode()
		}
		return out, nil
	})
	serve(histogramPath, func(ctx context.Context, req search.Request, raw request) (any, error) {
		return an.Histogram(ctx, search.HistogramRequest{Request: req, Interval: raw.Interval, By: raw.By, Top: raw.Top})
	})
	serve(facetsPath, func(ctx context.Context, req search.Request, raw request) (any, error) {
		return an.Facets(ctx, search.FacetsRequest{Request: req, Fields: raw.Fields, Limit: raw.Limit})
	})
	serve(fieldsPath, func(ctx context.Context, req search.Request, _ request) (any, error) {
		return an.FieldNames(ctx, req)
	})
	return mux
}

// decode makes the search.Request of a request whose query is n.
func decode(raw request, n query.Node) (search.Request, error) {
	req := search.Request{Tenant: raw.Tenant, Query: n, From: raw.From, To: raw.To, Limit: raw.Limit,
		Fields: raw.Fields, NoTotal: raw.NoTotal}
	if raw.Oldest {
		req.Order = search.Oldest
	}
	if raw.Cursor != "" {
		c, err := search.DecodeCursor(raw.Cursor)
		if err != nil {
			return search.Request{}, err
		}
		req.Cursor = &c
	}
	return req, nil
}

// encode makes the request of a search.Request.
func encode(req search.Request) request {
	raw := request{Tenant: req.Tenant, Q: query.Format(req.Query), From: req.From, To: req.To, Limit: req.Limit,
		Oldest: req.Order == search.Oldest, Fields: req.Fields, NoTotal: req.NoTotal}
	if req.Cursor != nil {
		raw.Cursor = req.Cursor.Encode()
	}
	return raw
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
	_ search.Backend  = (*Client)(nil)
	_ search.Analyzer = (*Client)(nil)
	_ search.Tailer   = (*Client)(nil)
)

// errNotOwner fails the calls that only the process owning the storage serves.
var errNotOwner = errors.New("the embedded search engine belongs to the process running the indexer: this process only searches it (search.embedded.url)")

// NewClient searches the engine served at baseURL (http://host:port).
func NewClient(baseURL, token string) *Client {
	base := strings.TrimSuffix(baseURL, "/")
	return &Client{url: base, tailURL: base + tailPath, token: token, http: &http.Client{}}
}

// Search sends req; its context bounds the call.
func (c *Client) Search(ctx context.Context, req search.Request) (search.Result, error) {
	var out response
	if err := c.call(ctx, searchPath, encode(req), &out); err != nil {
		return search.Result{}, err
	}
	res := search.Result{Total: out.Total, Hits: make([]search.Hit, len(out.Hits))}
	for i, h := range out.Hits {
		res.Hits[i] = search.Hit{ID: h.ID, Index: h.Index, Timestamp: h.Timestamp, Source: h.Source}
	}
	if out.Next != "" {
		next, err := search.DecodeCursor(out.Next)
		if err != nil {
			return search.Result{}, fmt.Errorf("search the indexer's engine: %w", err)
		}
		res.Next = &next
	}
	return res, nil
}

// Histogram implements search.Analyzer.
func (c *Client) Histogram(ctx context.Context, req search.HistogramRequest) (search.Histogram, error) {
	raw := encode(req.Request)
	raw.Interval, raw.By, raw.Top = req.Interval, req.By, req.Top
	var out search.Histogram
	err := c.call(ctx, histogramPath, raw, &out)
	return out, err
}

// Facets implements search.Analyzer.
func (c *Client) Facets(ctx context.Context, req search.FacetsRequest) ([]search.Facet, error) {
	raw := encode(req.Request)
	raw.Fields, raw.Limit = req.Fields, req.Limit
	var out []search.Facet
	err := c.call(ctx, facetsPath, raw, &out)
	return out, err
}

// FieldNames implements search.Analyzer.
func (c *Client) FieldNames(ctx context.Context, req search.Request) ([]search.FieldCount, error) {
	var out []search.FieldCount
	err := c.call(ctx, fieldsPath, encode(req), &out)
	return out, err
}

// call posts in to path and decodes the answer into out.
func (c *Client) call(ctx context.Context, path string, in request, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	hreq.Header.Set("Authorization", "Bearer "+c.token)
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		return fmt.Errorf("search the indexer's engine: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("search the indexer's engine: %w", failure(resp))
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("search the indexer's engine: %w", err)
	}
	return nil
}

// failure is the error of a refused request.
func failure(resp *http.Response) error {
	var p problem
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(msg, &p) == nil && p.Error != "" {
		if err := search.TailError(p.Code); err != nil {
			return fmt.Errorf("%s: %w", resp.Status, err)
		}
		if sentinel, ok := codes[p.Code]; ok {
			return fmt.Errorf("%s: %w: %s", resp.Status, sentinel, p.Error)
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
