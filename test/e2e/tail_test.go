package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
)

// tailWithin is the promise: a line the gateway accepted shows in an open tail within it.
const tailWithin = 2 * time.Second

// TestTailAll tails `trolly all` on its default configuration.
func TestTailAll(t *testing.T) {
	srv, cfg := writeConfig(t, t.TempDir(), postgresCatalog(t))
	in := start(t, "all", "--config", cfg)
	in.waitReady(t, srv.readyURLs()...)
	checkTail(t, srv)
	require.Equal(t, 0, in.stop(t), "open tails do not hold the stop up")
}

// TestTailTopology tails through an API process, which reaches the indexer's hub over the
// internal listener.
func TestTailTopology(t *testing.T) {
	tp := startTopology(t, sharedNATS(t), 1)
	checkTail(t, tp.srv)
	tp.stopAll(t)
}

// tailHit is a hit as both transports give it: its message and tenant.
type tailHit struct{ message, tenant string }

// sseTail opens GET /api/v1/tail and sends its hits on the channel until the test ends.
func sseTail(t *testing.T, srv server, key, q string) <-chan tailHit {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.apiURL+"/api/v1/tail?"+url.Values{"q": {q}}.Encode(), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	hits := make(chan tailHit, 100)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "hit":
				var h hit
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &h) == nil {
					hits <- tailHit{fmt.Sprint(field(h.Source, "message")), fmt.Sprint(field(h.Source, "organization.id"))}
				}
			}
		}
	}()
	return hits
}

// grpcTail opens a tail over gRPC and sends its hits on the channel until the test ends.
func grpcTail(t *testing.T, srv server, key, q string) <-chan tailHit {
	t.Helper()
	conn, err := grpc.NewClient(strings.TrimPrefix(srv.apiURL, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+key))
	t.Cleanup(cancel)
	st, err := trollyv1.NewTailServiceClient(conn).Tail(ctx, &trollyv1.TailRequest{Q: q})
	require.NoError(t, err)
	_, err = st.Header() // open once the header comes
	require.NoError(t, err)
	hits := make(chan tailHit, 100)
	go func() {
		for {
			m, err := st.Recv()
			if err != nil {
				return
			}
			if h := m.GetHit(); h != nil {
				src := h.GetSource().AsMap()
				hits <- tailHit{fmt.Sprint(field(src, "message")), fmt.Sprint(field(src, "organization.id"))}
			}
		}
	}()
	return hits
}

// awaitHit waits for the hit of message, requiring every hit before it to be of tenant.
func awaitHit(t *testing.T, hits <-chan tailHit, tenant, message string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	timeout := time.After(within)
	for {
		select {
		case h := <-hits:
			require.Equal(t, tenant, h.tenant, "a hit of another tenant: %q", h.message)
			if h.message == message {
				return time.Since(start)
			}
		case <-timeout:
			t.Fatalf("%q did not show in the tail within %s", message, within)
		}
	}
}

// checkTail ships lines one at a time and requires each in the open tails of its tenant
// within tailWithin of the gateway's answer, and never in another tenant's.
func checkTail(t *testing.T, srv server) {
	demoSSE := sseTail(t, srv, demoRead, "tailmark")
	demoGRPC := grpcTail(t, srv, demoRead, "tailmark")
	acmeSSE := sseTail(t, srv, acmeRead, "")
	var worst time.Duration
	for i := range 5 {
		line := fmt.Sprintf("tailmark %d shipped at %s", i, time.Now().Format(time.RFC3339Nano))
		srv.mustIngest(t, demoIngest, "raw", "", []string{"not for this tail " + line[9:], line}, false)
		accepted := time.Now()
		awaitHit(t, demoSSE, "demo", line, tailWithin)
		awaitHit(t, demoGRPC, "demo", line, tailWithin-time.Since(accepted))
		worst = max(worst, time.Since(accepted))
		time.Sleep(300 * time.Millisecond)
	}
	t.Logf("slowest line from the gateway's answer to both tails: %s", worst.Round(time.Millisecond))
	// acme's tail saw none of demo's lines: its first hit is acme's own.
	line := "acme's own line " + time.Now().Format(time.RFC3339Nano)
	srv.mustIngest(t, acmeIngest, "raw", "", []string{line}, false)
	awaitHit(t, acmeSSE, "acme", line, tailWithin)
}
