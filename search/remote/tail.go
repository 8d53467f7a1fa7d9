package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

// tailPath is the endpoint of live tails: a request like a search's, answered with one
// JSON line per event (tailLine), a heartbeat line while idle, and a last line that says
// why the tail ends.
const tailPath = "/internal/v1/tail"

const (
	// tailHeartbeat keeps an idle tail's connection checked, well within writeTimeout.
	tailHeartbeat = 5 * time.Second
	// tailWriteTimeout bounds each line's write: a stalled API process is dropped.
	tailWriteTimeout = 30 * time.Second
	// maxTailLine bounds a line the client reads: an event and its envelope.
	maxTailLine = 64 << 20
)

// tailLine is one line of a tail: a hit, the end, or neither (a heartbeat).
type tailLine struct {
	Hit   *hit   `json:"hit,omitempty"`
	End   string `json:"end,omitempty"` // search.TailCode, or "error"
	Error string `json:"error,omitempty"`
}

func serveTail(w http.ResponseWriter, r *http.Request, tails search.Tailer, log *slog.Logger) {
	if tails == nil {
		writeJSON(w, http.StatusNotFound, problem{Error: "this process serves no live tails"})
		return
	}
	req, n, ok := readRequest(w, r) // a search's request: tenant and q
	if !ok {
		return
	}
	// Read to the end, where the listener's guard lifts the body's read deadline: one left
	// behind (a chunked body the decoder stopped short of) would end the tail's context.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxRequestBytes))
	ctx := r.Context()
	tl, err := tails.Tail(ctx, search.TailRequest{Tenant: req.Tenant, Query: n})
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, search.ErrTailTenantLimit) {
			status = http.StatusTooManyRequests
		}
		writeJSON(w, status, problem{Error: err.Error(), Code: search.TailCode(err)})
		return
	}
	defer tl.Close()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	send := func(l tailLine) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(tailWriteTimeout))
		return enc.Encode(l) == nil && rc.Flush() == nil
	}
	if !send(tailLine{}) { // the client learns at once that the tail is open
		return
	}
	for {
		wait, cancel := context.WithTimeout(ctx, tailHeartbeat)
		h, err := tl.Next(wait)
		cancel()
		var l tailLine
		switch {
		case err == nil:
			l.Hit = &hit{ID: h.ID, Index: h.Index, Timestamp: h.Timestamp, Source: h.Source}
		case ctx.Err() != nil:
			return // the API process closed the tail
		case errors.Is(err, context.DeadlineExceeded):
		default:
			l.End, l.Error = search.TailCode(err), err.Error()
			if l.End == "" {
				l.End = "error"
				log.Warn("internal live tail", "tenant", req.Tenant, "err", err)
			}
		}
		if !send(l) || l.End != "" {
			return
		}
	}
}

// Tail opens a live tail on the indexer's hub; ctx bounds the opening.
func (c *Client) Tail(ctx context.Context, req search.TailRequest) (search.Tail, error) {
	body, err := json.Marshal(request{Tenant: req.Tenant, Q: query.Format(req.Query)})
	if err != nil {
		return nil, err
	}
	// The call lives as long as the tail, not as ctx.
	tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	hreq, err := http.NewRequestWithContext(tctx, http.MethodPost, c.tailURL, bytes.NewReader(body))
	if err != nil {
		cancel()
		return nil, err
	}
	hreq.Header.Set("Authorization", "Bearer "+c.token)
	hreq.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("tail the indexer's engine: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		return nil, fmt.Errorf("tail the indexer's engine: %w", failure(resp))
	}
	t := &remoteTail{cancel: cancel, lines: make(chan tailLine, 16), done: make(chan struct{})}
	r := bufio.NewReaderSize(resp.Body, 64<<10)
	first, err := readLine(r)
	if !stop() || err != nil { // ctx ended while opening
		cancel()
		resp.Body.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("tail the indexer's engine: %w", err)
	}
	_ = first // the heartbeat that says the tail is open
	go t.read(resp, r)
	return t, nil
}

// readLine reads one line of at most maxTailLine bytes.
func readLine(r *bufio.Reader) (tailLine, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxTailLine {
			return tailLine{}, fmt.Errorf("a tail line is longer than %d bytes", maxTailLine)
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return tailLine{}, err
		}
	}
	var l tailLine
	if err := json.Unmarshal(line, &l); err != nil {
		return tailLine{}, fmt.Errorf("read a tail line: %w", err)
	}
	return l, nil
}

// remoteTail is a tail read from the indexer by a goroutine of its own, so that Next can
// wait for ctx; the connection's flow control holds the indexer's side back meanwhile,
// and its hub cuts the tail off when it falls too far behind.
type remoteTail struct {
	cancel context.CancelFunc
	lines  chan tailLine // closed once err is set
	err    error
	done   chan struct{}
}

func (t *remoteTail) read(resp *http.Response, r *bufio.Reader) {
	defer close(t.done)
	defer resp.Body.Close()
	defer close(t.lines)
	for {
		l, err := readLine(r)
		switch {
		case err != nil:
			t.err = fmt.Errorf("tail the indexer's engine: %w", err)
			return
		case l.End != "":
			t.err = search.TailError(l.End)
			if t.err == nil {
				t.err = fmt.Errorf("tail the indexer's engine: %s", l.Error)
			}
			return
		case l.Hit == nil:
			continue // a heartbeat
		}
		t.lines <- l
	}
}

func (t *remoteTail) Next(ctx context.Context) (search.Hit, error) {
	var l tailLine
	var ok bool
	select {
	case l, ok = <-t.lines:
	default:
		select {
		case l, ok = <-t.lines:
		case <-ctx.Done():
			return search.Hit{}, ctx.Err()
		}
	}
	if !ok {
		return search.Hit{}, t.err
	}
	h := l.Hit
	return search.Hit{ID: h.ID, Index: h.Index, Timestamp: h.Timestamp, Source: h.Source}, nil
}

// Close ends the call and waits for its reader.
func (t *remoteTail) Close() error {
	t.cancel()
	go func() {
		for range t.lines { // let the reader end while it sends
		}
	}()
	<-t.done
	return nil
}
