package remote_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/remote"
	"github.com/trolly-logs/trolly/search/searchtest"
	"github.com/trolly-logs/trolly/search/vlogs"
)

// split writes to and drops from the owning backend, and searches it through the internal
// listener, as an API process of a multi-process deployment does.
type split struct {
	search.Backend // the owner: Write, DropTenant
	client         *remote.Client
	srv            *httptest.Server
}

func (s split) Search(ctx context.Context, req search.Request) (search.Result, error) {
	return s.client.Search(ctx, req)
}

func (s split) Close() error {
	s.srv.Close()
	return s.Backend.Close()
}

func retention(_ context.Context, key string) (int, error) {
	if key == "acme-corp" {
		return 90, nil
	}
	return 7, nil
}

func owner(t *testing.T) *vlogs.Backend {
	b, err := vlogs.Open(vlogs.Config{Dir: t.TempDir(), Classes: []int{36500}}, retention)
	require.NoError(t, err)
	return b
}

func TestConformanceThroughTheListener(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Backend {
		b := owner(t)
		srv := httptest.NewServer(remote.Handler(b, nil, "s3cret", slog.New(slog.DiscardHandler)))
		return split{Backend: b, client: remote.NewClient(srv.URL, "s3cret"), srv: srv}
	})
}

// Without the shared token the listener answers nothing, whatever tenant a request names.
func TestTokenRequired(t *testing.T) {
	b := owner(t)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	srv := httptest.NewServer(remote.Handler(b, nil, "s3cret", slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	for _, token := range []string{"", "wrong", "s3cret2", "S3CRET"} {
		_, err := remote.NewClient(srv.URL, token).Search(t.Context(), search.Request{Tenant: "acme"})
		require.ErrorContains(t, err, "401 Unauthorized", "token %q", token)
	}
	resp, err := http.Post(srv.URL+"/internal/v1/search", "application/json", strings.NewReader(`{"tenant":"acme"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	c := remote.NewClient(srv.URL, "s3cret")
	require.ErrorContains(t, c.Write(t.Context(), "trolly-acme-2024.01.01", nil), "belongs to the process running the indexer")
	_, err = c.DropTenant(t.Context(), "acme")
	require.ErrorContains(t, err, "belongs to the process running the indexer")
}

func (s split) Histogram(ctx context.Context, req search.HistogramRequest) (search.Histogram, error) {
	return s.client.Histogram(ctx, req)
}

func (s split) Facets(ctx context.Context, req search.FacetsRequest) ([]search.Facet, error) {
	return s.client.Facets(ctx, req)
}

func (s split) FieldNames(ctx context.Context, req search.Request) ([]search.FieldCount, error) {
	return s.client.FieldNames(ctx, req)
}

func TestCallsThroughTheListener(t *testing.T) {
	searchtest.RunCalls(t, func(t *testing.T) search.Backend {
		b := owner(t)
		srv := httptest.NewServer(remote.Handler(b, nil, "s3cret", slog.New(slog.DiscardHandler)))
		return split{Backend: b, client: remote.NewClient(srv.URL, "s3cret"), srv: srv}
	})
}

// onlySearch is a backend without the aggregate calls.
type onlySearch struct{ search.Backend }

// The listener of a backend without them answers so, and the client returns
// search.ErrUnsupported, which the API answers as Unimplemented.
func TestCallsUnsupported(t *testing.T) {
	b := owner(t)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	srv := httptest.NewServer(remote.Handler(onlySearch{b}, nil, "s3cret", slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	c := remote.NewClient(srv.URL, "s3cret")
	_, err := c.FieldNames(t.Context(), search.Request{Tenant: "acme"})
	require.ErrorIs(t, err, search.ErrUnsupported)
	_, err = c.Facets(t.Context(), search.FacetsRequest{Request: search.Request{Tenant: "acme"}, Limit: 3})
	require.ErrorIs(t, err, search.ErrUnsupported)
	_, err = c.Histogram(t.Context(), search.HistogramRequest{Request: search.Request{Tenant: "acme"}, Interval: time.Second})
	require.ErrorIs(t, err, search.ErrUnsupported)
	for _, path := range []string{"/internal/v1/histogram", "/internal/v1/facets", "/internal/v1/fields"} {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{"tenant":"acme"}`))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
	}
}
