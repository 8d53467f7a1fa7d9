package remote_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
	"github.com/trolly-logs/trolly/search/remote"
)

// tailServer serves a hub of cfg on the internal listener.
func tailServer(t *testing.T, cfg search.TailConfig) (*search.Hub, *remote.Client) {
	t.Helper()
	hub, err := search.NewHub(cfg, nil)
	require.NoError(t, err)
	b := owner(t)
	srv := httptest.NewServer(remote.Handler(b, hub, "s3cret", slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		hub.Close()
		srv.Close()
		require.NoError(t, b.Close())
	})
	c := remote.NewClient(srv.URL, "s3cret")
	t.Cleanup(func() { c.Close() })
	return hub, c
}

var tailAt = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func publish(hub *search.Hub, key string, ids ...string) []search.Doc {
	docs := make([]search.Doc, len(ids))
	for i, id := range ids {
		docs[i] = search.Doc{ID: id, Timestamp: tailAt, Source: fmt.Appendf(nil, `{"@timestamp":"2024-03-01T12:00:00Z","message":"line %s","organization":{"id":%q}}`, id, key)}
	}
	hub.Publish(search.IndexName(key, tailAt, 7), docs)
	return docs
}

func remoteTail(t *testing.T, c *remote.Client, key, q string) search.Tail {
	t.Helper()
	n, err := query.Parse(q)
	require.NoError(t, err)
	tl, err := c.Tail(t.Context(), search.TailRequest{Tenant: key, Query: n})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tl.Close()) })
	return tl
}

func next(t *testing.T, tl search.Tail) (search.Hit, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	return tl.Next(ctx)
}

func TestTailThroughTheListener(t *testing.T) {
	hub, c := tailServer(t, search.TailConfig{})
	tl := remoteTail(t, c, "acme", "line AND NOT b")
	publish(hub, "acme2", "x")
	docs := publish(hub, "acme", "a", "b", "c")
	for _, want := range []search.Doc{docs[0], docs[2]} {
		h, err := next(t, tl)
		require.NoError(t, err)
		require.Equal(t, search.Hit{ID: want.ID, Index: search.IndexName("acme", tailAt, 7), Timestamp: want.Timestamp, Source: want.Source}, h)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := tl.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "nothing else matches, of acme or of acme2")
}

// The hub's refusals and cuts reach the API process as the hub's errors.
func TestTailErrorsThroughTheListener(t *testing.T) {
	hub, c := tailServer(t, search.TailConfig{MaxPerTenant: 1, MaxTotal: 2})
	tl := remoteTail(t, c, "acme", "")
	_, err := c.Tail(t.Context(), search.TailRequest{Tenant: "acme"})
	require.ErrorIs(t, err, search.ErrTailTenantLimit)
	remoteTail(t, c, "demo", "")
	_, err = c.Tail(t.Context(), search.TailRequest{Tenant: "other"})
	require.ErrorIs(t, err, search.ErrTailLimit)

	hub.Close()
	_, err = next(t, tl)
	require.ErrorIs(t, err, search.ErrTailClosed)
}

// Closing a tail in the API process frees its place on the indexer.
func TestTailCloseFreesThePlace(t *testing.T) {
	_, c := tailServer(t, search.TailConfig{MaxPerTenant: 1})
	for range 3 {
		var tl search.Tail
		require.Eventually(t, func() bool {
			var err error
			tl, err = c.Tail(t.Context(), search.TailRequest{Tenant: "acme"})
			require.True(t, err == nil || errors.Is(err, search.ErrTailTenantLimit), "%v", err)
			return err == nil
		}, 5*time.Second, 10*time.Millisecond)
		require.NoError(t, tl.Close())
	}
}

func TestTailTokenRequired(t *testing.T) {
	hub, err := search.NewHub(search.TailConfig{}, nil)
	require.NoError(t, err)
	t.Cleanup(hub.Close)
	b := owner(t)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	srv := httptest.NewServer(remote.Handler(b, hub, "s3cret", slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	for _, token := range []string{"", "wrong", "S3CRET"} {
		_, err := remote.NewClient(srv.URL, token).Tail(t.Context(), search.TailRequest{Tenant: "acme"})
		require.ErrorContains(t, err, "401 Unauthorized", "token %q", token)
	}
	resp, err := http.Post(srv.URL+"/internal/v1/tail", "application/json", strings.NewReader(`{"tenant":"acme"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// Behind the listener's guard, a tail outlives its read and write timeouts.
func TestTailOutlivesTheGuardsTimeouts(t *testing.T) {
	hub, err := search.NewHub(search.TailConfig{}, nil)
	require.NoError(t, err)
	t.Cleanup(hub.Close)
	b := owner(t)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	guard := httpx.NewGuard("search", httpx.Config{ReadTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond}, nil)
	srv := guard.Server(remote.Handler(b, hub, "s3cret", slog.New(slog.DiscardHandler)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(guard.Listener(ln)) }()
	t.Cleanup(func() { srv.Close() })
	c := remote.NewClient("http://"+ln.Addr().String(), "s3cret")
	t.Cleanup(func() { c.Close() })

	tl := remoteTail(t, c, "acme", "")
	time.Sleep(time.Second)
	publish(hub, "acme", "late")
	h, err := next(t, tl)
	require.NoError(t, err)
	require.Equal(t, "late", h.ID)
}

// A tail shows, of what is written, exactly what a search of the same query finds.
func TestTailAgreesWithSearch(t *testing.T) {
	hub, err := search.NewHub(search.TailConfig{MaxPerTenant: 16, MaxTotal: 16}, nil)
	require.NoError(t, err)
	t.Cleanup(hub.Close)
	b := owner(t)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	queries := []string{"", "timeout", `"connection reset"`, "-timeout", "http.response.status_code >= 500",
		"host.name:web*", "135", "event.id:b-135", "timeout OR host.name:db-1", "user.name:*"}
	tails := make([]search.Tail, len(queries))
	for i, q := range queries {
		n, err := query.Parse(q)
		require.NoError(t, err)
		tails[i], err = hub.Tail(t.Context(), search.TailRequest{Tenant: "acme", Query: n})
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, tails[i].Close()) })
	}
	w := search.Publishing(b, hub)
	var docs []search.Doc
	for i := range 200 {
		src := fmt.Sprintf(`{"@timestamp":"2024-03-01T12:00:00Z","message":"request %d %s","event":{"id":"b-%d"},"organization":{"id":"acme"},`+
			`"host":{"name":"%s-%d"},"http":{"response":{"status_code":%d}}%s}`,
			i, []string{"ok", "upstream timeout", "connection reset by peer", "done"}[i%4], i, []string{"web", "db"}[i%2], i%3, 200+i%4*100,
			map[bool]string{true: `,"user":{"name":"ana"}`, false: ""}[i%5 == 0])
		docs = append(docs, search.Doc{ID: fmt.Sprintf("b-%d", i), Timestamp: tailAt, Source: []byte(src)})
	}
	for i := 0; i < len(docs); i += 50 {
		require.NoError(t, w.Write(t.Context(), search.IndexName("acme", tailAt, 7), docs[i:i+50]))
	}
	for i, q := range queries {
		n, err := query.Parse(q)
		require.NoError(t, err)
		res, err := b.Search(t.Context(), search.Request{Tenant: "acme", Query: n, From: tailAt.Add(-time.Hour), To: tailAt.Add(time.Hour), Limit: 1000})
		require.NoError(t, err)
		var want, got []string
		for _, h := range res.Hits {
			want = append(want, h.ID)
		}
		for {
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			h, err := tails[i].Next(ctx)
			cancel()
			if err != nil {
				break
			}
			got = append(got, h.ID)
		}
		require.NotEmpty(t, want, "q=%q finds something", q)
		require.ElementsMatch(t, want, got, "q=%q", q)
	}
}
