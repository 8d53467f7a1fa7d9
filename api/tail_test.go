package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/search"
)

// publish hands events of tenant id to the hub as the indexer does once they are written;
// each event's message is its id.
func (w *world) publish(t *testing.T, id string, ids ...string) {
	t.Helper()
	tn, err := w.cache.Tenant(context.Background(), id)
	require.NoError(t, err)
	now := time.Now().UTC()
	docs := make([]search.Doc, len(ids))
	for i, eid := range ids {
		docs[i] = search.Doc{ID: eid, Timestamp: now, Source: fmt.Appendf(nil,
			`{"@timestamp":%q,"message":"shared %s","organization":{"id":%q},"event":{"id":%q}}`, now.Format(time.RFC3339Nano), eid, id, eid)}
	}
	w.hub.Publish(search.IndexName(tn.Key, now, 7), docs)
}

// grpcTail opens a tail and waits until it is open.
func grpcTail(t *testing.T, conn *grpc.ClientConn, bearer, q string) grpc.ServerStreamingClient[trollyv1.TailResponse] {
	t.Helper()
	ctx, cancel := context.WithTimeout(as(bearer), 30*time.Second)
	t.Cleanup(cancel)
	st, err := trollyv1.NewTailServiceClient(conn).Tail(ctx, &trollyv1.TailRequest{Q: q})
	require.NoError(t, err)
	h, err := st.Header()
	require.NoError(t, err)
	require.Equal(t, []string{"open"}, h.Get(mdTailOpen))
	return st
}

// nextHit skips heartbeats to the next hit of st.
func nextHit(t *testing.T, st grpc.ServerStreamingClient[trollyv1.TailResponse]) *trollyv1.Hit {
	t.Helper()
	for {
		m, err := st.Recv()
		require.NoError(t, err)
		if h := m.GetHit(); h != nil {
			return h
		}
		require.NotNil(t, m.GetHeartbeat(), "%v", m)
	}
}

// sse is a server-sent event, or a comment when name is empty.
type sse struct{ name, data string }

// sseTail opens GET /api/v1/tail and returns its events as they come.
func sseTail(t *testing.T, base, bearer, q string) (*http.Response, <-chan sse) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/tail?"+url.Values{"q": {q}}.Encode(), nil)
	require.NoError(t, err)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	events := make(chan sse, 64)
	if resp.StatusCode != http.StatusOK {
		close(events)
		return resp, events
	}
	go func() {
		defer close(events)
		r := bufio.NewReader(resp.Body)
		var ev sse
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				events <- ev
				ev = sse{}
			case strings.HasPrefix(line, ": "):
				ev.data = strings.TrimPrefix(line, ": ")
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return resp, events
}

// nextSSE returns the next event named other than by a comment.
func nextSSE(t *testing.T, events <-chan sse) sse {
	t.Helper()
	for ev := range events {
		if ev.name != "" {
			return ev
		}
	}
	t.Fatal("the event stream ended")
	return sse{}
}

func hitID(t *testing.T, data string) string {
	t.Helper()
	var h struct {
		ID     string         `json:"id"`
		Source map[string]any `json:"source"`
	}
	require.NoError(t, json.Unmarshal([]byte(data), &h), data)
	return h.ID
}

// A tail outlives the listener's write timeout, sends heartbeats while idle, shows its
// tenant's matching events only, and ends at max_duration with a reason.
func TestTailGRPC(t *testing.T) {
	w := newWorldWith(t, stores()["sqlite"](t), func(c *Config) {
		c.HTTP.WriteTimeout = 300 * time.Millisecond
		c.Tail.Heartbeat = 100 * time.Millisecond
		c.Tail.MaxDuration = time.Second
	})
	start := time.Now()
	st := grpcTail(t, w.conn, w.acme.readKey, "shared")
	w.publish(t, "acme-corp", "corp-1")
	w.publish(t, "acme", "acme-1")
	hit := nextHit(t, st)
	require.Equal(t, "acme-1", hit.GetId())
	require.Equal(t, "acme", hit.GetSource().GetFields()["organization"].GetStructValue().GetFields()["id"].GetStringValue())

	var heartbeats int
	var end *trollyv1.TailEnd
	for end == nil {
		m, err := st.Recv()
		require.NoError(t, err)
		require.Nil(t, m.GetHit(), "no other event matches")
		if m.GetHeartbeat() != nil {
			heartbeats++
		}
		end = m.GetEnd()
	}
	require.Equal(t, reasonMaxDuration, end.GetReason())
	_, err := st.Recv()
	require.ErrorIs(t, err, io.EOF, "the tail ends with status OK")
	require.GreaterOrEqual(t, time.Since(start), time.Second)
	require.Positive(t, heartbeats)
}

func TestTailREST(t *testing.T) {
	w := newWorldWith(t, stores()["sqlite"](t), func(c *Config) {
		c.HTTP.WriteTimeout = 300 * time.Millisecond
		c.Tail.Heartbeat = 100 * time.Millisecond
		c.Tail.MaxDuration = time.Second
	})
	resp, events := sseTail(t, w.rest, w.acme.memberJWT, "shared")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	w.publish(t, "acme-corp", "corp-1")
	w.publish(t, "acme", "acme-1")
	ev := nextSSE(t, events)
	require.Equal(t, "hit", ev.name)
	require.Equal(t, "acme-1", hitID(t, ev.data))

	var comments []string
	for ev = range events {
		if ev.name != "" {
			break
		}
		comments = append(comments, ev.data)
	}
	require.Contains(t, comments, "heartbeat")
	require.Equal(t, "end", ev.name)
	var end restError
	require.NoError(t, json.Unmarshal([]byte(ev.data), &end))
	require.Equal(t, reasonMaxDuration, end.Code)
	_, open := <-events
	require.False(t, open, "the stream closes after its end")
}

func TestTailRefusals(t *testing.T) {
	w := newWorldWith(t, stores()["sqlite"](t), func(c *Config) { c.Tail.MaxPerTenant = 2 })
	for _, c := range []struct {
		name, bearer, q string
		status          int
		code            string
	}{
		{"no credential", "", "", http.StatusUnauthorized, "unauthenticated"},
		{"ingest key", w.acme.ingestKey, "", http.StatusForbidden, "forbidden"},
		{"operator", w.operator, "", http.StatusForbidden, "forbidden"},
		{"bad query", w.acme.readKey, `"unclosed`, http.StatusBadRequest, "invalid_argument"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := sseTail(t, w.rest, c.bearer, c.q)
			require.Equal(t, c.status, resp.StatusCode)
			var body restError
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			require.Equal(t, c.code, body.Code, body.Message)
		})
	}

	// Two tails per tenant: a third is refused, another tenant's is not.
	grpcTail(t, w.conn, w.acme.readKey, "")
	resp, _ := sseTail(t, w.rest, w.acme.adminKey, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = sseTail(t, w.rest, w.acme.readKey, "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	var body restError
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, "tail_tenant_limit", body.Code)
	st, err := trollyv1.NewTailServiceClient(w.conn).Tail(as(w.acme.readKey), &trollyv1.TailRequest{})
	require.NoError(t, err)
	_, err = st.Recv()
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	grpcTail(t, w.conn, w.corp.readKey, "")
}

// A client that does not read is cut off while events keep being published without
// waiting; it then learns why.
func TestTailSlowReaderCutOff(t *testing.T) {
	w := newWorldWith(t, stores()["sqlite"](t), func(c *Config) {
		c.Tail.Buffer = 20
		c.Tail.MaxPerTenant = 1
	})
	st := grpcTail(t, w.conn, w.acme.readKey, "")
	tn, err := w.cache.Tenant(context.Background(), "acme")
	require.NoError(t, err)
	big := strings.Repeat("x", 8<<10)
	deadline := time.Now().Add(30 * time.Second)
	for n := 0; ; n++ {
		now := time.Now().UTC()
		docs := make([]search.Doc, 10)
		for i := range docs {
			docs[i] = search.Doc{ID: fmt.Sprint(n, "-", i), Timestamp: now, Source: fmt.Appendf(nil, `{"@timestamp":%q,"message":%q}`, now.Format(time.RFC3339Nano), big)}
		}
		w.hub.Publish(search.IndexName(tn.Key, now, 7), docs)
		// The tail's place is free once it is cut off.
		if tl, err := w.hub.Tail(context.Background(), search.TailRequest{Tenant: tn.Key}); err == nil {
			require.NoError(t, tl.Close())
			break
		}
		require.True(t, time.Now().Before(deadline), "the unread tail was never cut off")
	}
	var end *trollyv1.TailEnd
	for end == nil {
		m, err := st.Recv()
		require.NoError(t, err)
		end = m.GetEnd()
	}
	require.Equal(t, "tail_too_slow", end.GetReason())
	_, err = st.Recv()
	require.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
}

// Stopping the server ends the tails it serves, with a reason, instead of holding the
// shutdown up.
func TestTailEndsAtShutdown(t *testing.T) {
	w := newWorld(t, stores()["sqlite"](t))
	resp, events := sseTail(t, w.rest, w.acme.readKey, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	st := grpcTail(t, w.conn, w.acme.readKey, "")
	w.stop(t)
	ev := nextSSE(t, events)
	require.Equal(t, "end", ev.name)
	require.Contains(t, ev.data, reasonServerStopping)
	m, err := st.Recv()
	require.NoError(t, err)
	require.Equal(t, reasonServerStopping, m.GetEnd().GetReason())
	_, err = st.Recv()
	require.True(t, errors.Is(err, io.EOF) || status.Code(err) == codes.Unavailable, "%v", err)
}
