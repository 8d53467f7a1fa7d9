package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/tenant"
)

// writeMany gives a tenant n generated events within an hour of base, enough that a
// prefix query over a field reads for a while.
func writeMany(t *testing.T, b search.Backend, tenantID string, n int) {
	t.Helper()
	const batch = 1000
	for start := 0; start < n; start += batch {
		docs := make([]search.Doc, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			ts := base.Add(time.Duration(i) * time.Hour / time.Duration(n))
			id := fmt.Sprintf("%s-gen-%d", tenantID, i)
			src := fmt.Sprintf(`{"@timestamp":%q,"message":"GET /api/orders/%d 200","event":{"id":%q},"url":{"path":"/api/orders/%d"},"host":{"name":"web-%02d"}}`,
				ts.Format(time.RFC3339Nano), i, id, i, i%8)
			docs = append(docs, search.Doc{ID: id, Timestamp: ts, Source: []byte(src)})
		}
		require.NoError(t, b.Write(context.Background(), search.IndexName(tenantID, base, 90), docs))
	}
}

// TestSearchTimeout stops a search that runs past its plan's query_timeout, and answers a
// timeout that says how to narrow the query; a tenant on a longer timeout is unaffected.
func TestSearchTimeout(t *testing.T) {
	f := newSearchFixture(t, &tenant.Limits{QueryTimeout: time.Millisecond}, func(b search.Backend) search.Backend {
		writeMany(t, b, "acme", 20_000)
		return b
	})
	slow := wholeRange("*rders*")

	a := f.get(t, "/api/v1/search", "acme-rd", slow)
	require.Equal(t, http.StatusGatewayTimeout, a.status, a.body["message"])
	require.Equal(t, "query_timeout", a.body["code"], a.body)
	require.Contains(t, a.body["message"], "timed out after 1ms", a.body)
	require.Contains(t, a.body["message"], "shorter time range", a.body)

	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer acme-rd")
	_, err := f.grpc.Search(ctx, &trollyv1.SearchRequest{Q: slow.Get("q"), From: slow.Get("from"), To: slow.Get("to")})
	require.Equal(t, codes.DeadlineExceeded, status.Code(err), "%v", err)

	a = f.get(t, "/api/v1/search", "demo-rd", wholeRange("shared"))
	require.Equal(t, http.StatusOK, a.status, "demo's plan keeps the default timeout: %s", a.body)
}

// TestSearchBusy refuses a search that waits for a slot of the process longer than
// search.max_queue_wait, with 503 and Retry-After.
func TestSearchBusy(t *testing.T) {
	held := &gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
	slots, err := search.NewGate(search.GateConfig{MaxConcurrent: 1, MaxQueueWait: time.Millisecond}, nil)
	require.NoError(t, err)
	f := newSearchFixture(t, nil, func(b search.Backend) search.Backend {
		held.Backend = b
		return held
	}, func(d *Deps) { d.Gate = slots })
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer acme-rd")
	whole := wholeRange("shared")
	first := make(chan error, 1)
	go func() {
		_, err := f.grpc.Search(ctx, &trollyv1.SearchRequest{Q: whole.Get("q"), From: whole.Get("from"), To: whole.Get("to")})
		first <- err
	}()
	<-held.entered

	a := f.get(t, "/api/v1/search", "demo-rd", wholeRange("shared"))
	require.Equal(t, http.StatusServiceUnavailable, a.status, a.body)
	require.Equal(t, "search_busy", a.body["code"])
	require.Equal(t, "1", a.header.Get("Retry-After"))

	close(held.release)
	require.NoError(t, <-first)
	a = f.get(t, "/api/v1/search", "demo-rd", wholeRange("shared"))
	require.Equal(t, http.StatusOK, a.status, "the slot is free again: %v", a.body)
}
