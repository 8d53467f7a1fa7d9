package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/tenant"
)

// TestUnwritableArchive runs `trolly all` with a tenant's archive directory that cannot be
// written: the gateway takes input until the queue's backlog passes its budget and then
// answers 503 with Retry-After, /readyz turns 503 once the archiver has failed for longer
// than its grace, and when the directory is writable again both recover and every line
// answered 202 is archived.
func TestUnwritableArchive(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	admin, api, ingest := freeAddr(t), freeAddr(t), freeAddr(t)
	cfg := fmt.Sprintf(`data_dir: %s
log: {level: error}
admin: {listen: %q}
api: {listen: %q}
gateway: {listen: %q, max_body_bytes: 65536, max_line_bytes: 4096}
queue: {nats: {max_backlog_bytes: 262144, max_tenant_backlog_bytes: 262144}}
archiver: {max_chunk_bytes: 65536, max_buffered_bytes: 65536, max_chunk_age: 100ms,
  retry_min_backoff: 10ms, retry_max_backoff: 100ms, unready_after: 300ms, dead_letter_attempts: 1000000}
tenants:
  - id: demo
    keys: [{name: in, scope: ingest, hash: %q}]
    streams: [{name: raw, source_type: text}]
`, data, admin, api, ingest, tenant.HashKey("k"))
	path := filepath.Join(dir, "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"all", "--config", path}, nil, nil, &bytes.Buffer{}, &stderr) }()
	waitReady(t, "http://"+admin+"/readyz")

	// The directory of the tenant's key is a link to nowhere: every write of its chunks
	// fails, for root too.
	key := tenantKey(t, data, "demo")
	broken := filepath.Join(data, "archive", key)
	require.NoError(t, os.MkdirAll(filepath.Dir(broken), 0o750))
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone"), broken))

	const lines = 100
	post := func(n int) (int, http.Header, string) {
		var body strings.Builder
		for i := range lines {
			fmt.Fprintf(&body, "request %d line %d\n", n, i)
		}
		req, err := http.NewRequest(http.MethodPost, "http://"+ingest+"/ingest/v1/streams/raw", strings.NewReader(body.String()))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		msg, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header, string(msg)
	}
	accepted, sent := 0, 0
	for ; sent < 2000; sent++ {
		status, header, msg := post(sent)
		if status == http.StatusAccepted {
			accepted++
			continue
		}
		require.Equal(t, http.StatusServiceUnavailable, status, msg)
		require.NotEmpty(t, header.Get("Retry-After"))
		require.Contains(t, msg, "backlog_full")
		break
	}
	require.Less(t, sent, 2000, "the gateway never refused")
	require.Positive(t, accepted)

	require.Eventually(t, func() bool {
		status, msg := get(t, "http://"+admin+"/readyz")
		return status == http.StatusServiceUnavailable && strings.Contains(msg, "archiver: every write has failed")
	}, 20*time.Second, 20*time.Millisecond, "/readyz turns 503 while the archiver cannot write")

	require.NoError(t, os.Remove(broken))
	waitReady(t, "http://"+admin+"/readyz")
	require.Eventually(t, func() bool {
		sent++
		status, _, _ := post(sent)
		if status == http.StatusAccepted {
			accepted++
		}
		return status == http.StatusAccepted
	}, 20*time.Second, 20*time.Millisecond, "the gateway accepts again")

	stop()
	select {
	case c := <-code:
		require.Equal(t, exitOK, c, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("trolly did not stop within 60s\n%s", stderr.String())
	}
	require.Equal(t, accepted*lines, archivedDocs(t, data, key+"/raw/"), "every line answered 202 is archived")
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}
