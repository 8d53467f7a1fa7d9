package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The crash tests stop `trolly all` on its default queue (embedded NATS, stored under
// <data_dir>/queue) the hard way, or with a backlog, start it again on the same data
// directory, and require that once the queue is empty every line answered 202 is in
// search exactly once and in the archive.

// crashLines is the number of lines of a batch; one search for its tag returns them all.
const crashLines = 250

// TestKillUnderLoad kills `trolly all` with SIGKILL while senders post batches, 1s, 2.5s
// and 4s into three loads, starting it again on the same data directory each time.
func TestKillUnderLoad(t *testing.T) {
	c := newCrashSite(t)
	for i, after := range []time.Duration{time.Second, 2500 * time.Millisecond, 4 * time.Second} {
		in := c.start(t)
		l := c.send(t, fmt.Sprintf("k%d", i), 4, 0, 100*time.Millisecond)
		time.Sleep(after)
		in.kill(t)
		l.stop()
	}
	in := c.start(t)
	c.requireSurvived(t)
	require.Equal(t, 0, in.stop(t))
}

// TestKillIdle kills `trolly all` with SIGKILL a few seconds after the last 202, while the
// sinks may still work through the backlog.
func TestKillIdle(t *testing.T) {
	c := newCrashSite(t)
	in := c.start(t)
	c.send(t, "i", 4, 50, 0).wait()
	time.Sleep(2 * time.Second)
	t.Logf("killed with %.0f bytes queued", metric(t, c.srv, "trolly_queue_backlog_bytes"))
	in.kill(t)
	in = c.start(t)
	c.requireSurvived(t)
	require.Equal(t, 0, in.stop(t))
}

// TestStopWithBacklog sends SIGTERM while the queue holds more than the sinks can write
// within shutdown_timeout: the process exits 0 with the rest queued on disk, and the next
// start processes it.
func TestStopWithBacklog(t *testing.T) {
	// One indexer worker writing one batch per commit: the sinks write what the gateway
	// took in a second or two for far longer than shutdown_timeout, however fast the
	// machine.
	c := newCrashSite(t, "shutdown_timeout: 1s", "indexer: {workers: 1, batch_size: 1}")
	in := c.start(t)
	// 200,000 lines as fast as the gateway takes them, then SIGTERM at once: a bounded
	// load, so that checking every batch afterwards stays quick.
	l := c.send(t, "t", 4, 200, 0)
	l.wait()
	t.Logf("backlog at the stop: %.0f bytes", metric(t, c.srv, "trolly_queue_backlog_bytes"))
	require.Equal(t, 0, in.stop(t), "SIGTERM with a backlog on a durable queue")
	require.Contains(t, in.logs.String(), "left in the queue for the next start", "the stop was cut short by shutdown_timeout")
	in = c.start(t)
	c.requireSurvived(t)
	require.Equal(t, 0, in.stop(t))
}

// crashSite is a data directory that `trolly all` is started on again and again, and the
// batches sent to it.
type crashSite struct {
	srv server
	cfg string
	dir string

	mu      sync.Mutex
	batches []*crashBatch
}

// crashBatch is one request: its lines carry its tag, and status is its answer (0: none).
type crashBatch struct {
	tag    string
	status int
}

func newCrashSite(t *testing.T, extra ...string) *crashSite {
	t.Helper()
	dir := t.TempDir()
	srv, cfg := writeConfig(t, dir, extra...)
	return &crashSite{srv: srv, cfg: cfg, dir: dir}
}

func (c *crashSite) start(t *testing.T) *instance {
	t.Helper()
	in := start(t, "all", "--config", c.cfg)
	in.waitReady(t, c.srv.readyURLs()...)
	return in
}

// crashLoad is senders at work.
type crashLoad struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// stop ends the senders and waits for them.
func (l *crashLoad) stop() {
	l.cancel()
	l.wg.Wait()
}

// wait waits for the senders to end by themselves.
func (l *crashLoad) wait() {
	l.wg.Wait()
	l.cancel()
}

// send starts senders that post batches to demo's stream "raw", each up to max batches
// (0: until stopped) with pause between two. A sender ends when a request gets no answer:
// the process is gone. A batch is never sent twice, so a line found twice is a duplicate.
func (c *crashSite) send(t *testing.T, round string, senders, max int, pause time.Duration) *crashLoad {
	ctx, cancel := context.WithCancel(context.Background())
	l := &crashLoad{cancel: cancel}
	client := &http.Client{Timeout: 30 * time.Second}
	for s := range senders {
		l.wg.Go(func() {
			for k := 0; (max == 0 || k < max) && ctx.Err() == nil; k++ {
				b := &crashBatch{tag: fmt.Sprintf("%ss%db%d", round, s, k)}
				c.mu.Lock()
				c.batches = append(c.batches, b)
				c.mu.Unlock()
				status := c.post(client, b.tag)
				c.mu.Lock()
				b.status = status
				c.mu.Unlock()
				if status == 0 {
					return
				}
				if status != http.StatusAccepted {
					t.Logf("batch %s: answer %d", b.tag, status)
				}
				select {
				case <-ctx.Done():
				case <-time.After(pause):
				}
			}
		})
	}
	return l
}

// post sends a batch and returns the status of its answer, 0 when there was none.
func (c *crashSite) post(client *http.Client, tag string) int {
	var body strings.Builder
	for j := range crashLines {
		fmt.Fprintf(&body, "crash %s line %d\n", tag, j)
	}
	req, err := http.NewRequest(http.MethodPost, c.srv.ingestURL+"/ingest/v1/streams/raw", strings.NewReader(body.String()))
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+demoIngest)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// requireSurvived waits until the queue is empty, then requires every line of every batch
// answered 202 in search exactly once and in the archive. The lines of a batch that got
// no 202 may be there, once.
func (c *crashSite) requireSurvived(t *testing.T) {
	t.Helper()
	began := time.Now()
	waitQueueEmpty(t, c.srv)
	t.Logf("queue empty %s after the start", time.Since(began).Round(100*time.Millisecond))
	archived := readArchive(t, filepath.Join(c.dir, "data", "archive"))["demo"]
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)

	c.mu.Lock()
	batches := c.batches
	c.mu.Unlock()
	var accepted, found, missing, twice, unarchived, other, otherFound int
	for _, b := range batches {
		r := c.srv.search(t, demoRead, b.tag, from, to, 1000)
		require.Equal(t, r.total(t), len(r.Hits), "batch %s: every hit returned", b.tag)
		seen := map[string]bool{}
		for _, h := range r.Hits {
			msg, _ := field(h.Source, "message").(string)
			if seen[msg] {
				twice++
				continue
			}
			seen[msg] = true
			if b.status == http.StatusAccepted && !archived[h.ID] {
				unarchived++
			}
		}
		if b.status == http.StatusAccepted {
			accepted += crashLines
			found += len(seen)
			missing += crashLines - len(seen)
		} else {
			other += crashLines
			otherFound += len(seen)
		}
	}
	t.Logf("%d batches: %d lines accepted, %d of them in search; %d lines of batches without a 202, %d of them in search; %d duplicates, %d accepted lines not archived",
		len(batches), accepted, found, other, otherFound, twice, unarchived)
	require.Positive(t, accepted, "nothing was accepted")
	require.Zero(t, missing, "accepted lines missing from search")
	require.Zero(t, twice, "lines in search twice")
	require.Zero(t, unarchived, "accepted lines searchable but not archived")
}

// waitQueueEmpty waits until the queue's backlog is zero for several of its refreshes
// (one a second), failing after a bound: deliveries a killed process held come back after
// the queue's ack_wait.
func waitQueueEmpty(t *testing.T, srv server) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var emptySince time.Time
	for {
		backlog := metric(t, srv, "trolly_queue_backlog_bytes")
		switch {
		case backlog > 0:
			emptySince = time.Time{}
		case emptySince.IsZero():
			emptySince = time.Now()
		case time.Since(emptySince) >= 3*time.Second:
			return
		}
		require.True(t, time.Now().Before(deadline), "queue backlog still %.0f bytes after 3 minutes", backlog)
		time.Sleep(250 * time.Millisecond)
	}
}

// metric reads an unlabelled metric from the admin listener.
func metric(t *testing.T, srv server, name string) float64 {
	t.Helper()
	a := do(t, http.MethodGet, srv.adminURL+"/metrics", "", nil, nil)
	require.Equal(t, http.StatusOK, a.status)
	for line := range strings.SplitSeq(string(a.body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err, line)
			return f
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
