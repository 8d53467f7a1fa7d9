package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/vlogs"
	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
	"github.com/trolly-logs/trolly/tenant"
	catalogsqlite "github.com/trolly-logs/trolly/tenant/sqlite"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestDrainOnStop stops `trolly all` right after the last request was accepted, on each
// queue it can run alone (memory, embedded NATS): every accepted line must still reach the
// index and the archive before it exits.
func TestDrainOnStop(t *testing.T) {
	tests := []struct {
		name  string
		queue string
	}{
		{"memory", "queue: {driver: memory-test-only}"},
		{"nats/embedded", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { testDrainOnStop(t, tc.queue) })
	}
}

func testDrainOnStop(t *testing.T, queueConfig string) {
	dir := t.TempDir()
	admin, api, ingest := freeAddr(t), freeAddr(t), freeAddr(t)
	// The drain is what is tested, not its speed: the race detector and a busy machine
	// slow the indexer down a lot, and a drain cut short on a durable queue exits 0.
	cfg := fmt.Sprintf(`data_dir: %s
shutdown_timeout: 3m
log: {level: warn}
admin: {listen: %q}
api: {listen: %q}
gateway: {listen: %q}
tenants:
  - id: demo
    keys: [{name: in, scope: ingest, hash: %q}]
    streams: [{name: raw, source_type: text}]
%s
`, filepath.Join(dir, "data"), admin, api, ingest, tenant.HashKey("k"), queueConfig)
	path := filepath.Join(dir, "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"all", "--config", path}, nil, nil, &bytes.Buffer{}, &stderr) }()
	waitReady(t, "http://"+admin+"/readyz")

	const requests, lines = 20, 500
	var wg sync.WaitGroup
	for r := range requests {
		wg.Go(func() {
			var body strings.Builder
			for i := range lines {
				fmt.Fprintf(&body, "request %d line %d\n", r, i)
			}
			req, err := http.NewRequest(http.MethodPost, "http://"+ingest+"/ingest/v1/streams/raw", strings.NewReader(body.String()))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer k")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusAccepted, resp.StatusCode)
		})
	}
	wg.Wait()
	stop()
	select {
	case c := <-code:
		require.Equal(t, exitOK, c, stderr.String())
	case <-time.After(4 * time.Minute):
		t.Fatalf("trolly did not stop within 4m\n%s", stderr.String())
	}

	demoKey := tenantKey(t, filepath.Join(dir, "data"), "demo")

	backend, err := vlogs.Open(vlogs.Config{Dir: filepath.Join(dir, "data", "search")},
		func(context.Context, string) (int, error) { return 7, nil })
	require.NoError(t, err)
	defer backend.Close()
	res, err := backend.Search(context.Background(), search.Request{Tenant: demoKey, From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	require.Equal(t, int64(requests*lines), res.Total, "indexed before exit")

	require.Equal(t, requests*lines, archivedDocs(t, filepath.Join(dir, "data"), demoKey+"/raw/"), "archived before exit")
}

// archivedDocs counts the documents of the archive chunks under data whose keys start
// with prefix.
func archivedDocs(t *testing.T, data, prefix string) int {
	t.Helper()
	bucket, err := fs.New(filepath.Join(data, "archive"))
	require.NoError(t, err)
	n := 0
	for key, err := range bucket.List(context.Background(), prefix) {
		require.NoError(t, err)
		chunk, err := bucket.Get(context.Background(), key)
		require.NoError(t, err)
		docs, err := storage.ReadChunk(chunk)
		require.NoError(t, err)
		n += len(docs)
	}
	return n
}

// tenantKey reads the key of tenant id from the SQLite catalog under data.
func tenantKey(t *testing.T, data, id string) string {
	t.Helper()
	cat, err := catalogsqlite.Open(context.Background(), filepath.Join(data, "catalog.db"), tenant.StoreOptions{})
	require.NoError(t, err)
	defer func() { require.NoError(t, cat.Close()) }()
	tn, err := cat.GetTenant(context.Background(), id)
	require.NoError(t, err)
	return tn.Key
}

func waitReady(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "%s not ready", url)
	}
}

func TestHashKey(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"hash-key", "demo-ingest-key"}, nil, nil, &out, &errOut))
	require.Equal(t, tenant.HashKey("demo-ingest-key")+"\n", out.String())

	out.Reset()
	require.Equal(t, exitOK, run(context.Background(), []string{"hash-key", "-"}, nil, strings.NewReader("from-stdin\n"), &out, &errOut))
	require.Equal(t, tenant.HashKey("from-stdin")+"\n", out.String())

	out.Reset()
	require.Equal(t, exitOK, run(context.Background(), []string{"hash-key", "--new"}, nil, nil, &out, &errOut))
	var key, hash string
	_, err := fmt.Sscanf(out.String(), "key: %s\nhash: %s\n", &key, &hash)
	require.NoError(t, err, out.String())
	require.True(t, strings.HasPrefix(key, "trl_"))
	require.Equal(t, tenant.HashKey(key), hash, "the printed hash is the new key's")

	require.Equal(t, exitUsage, run(context.Background(), []string{"hash-key"}, nil, nil, &out, &errOut))
	require.Equal(t, exitUsage, run(context.Background(), []string{"hash-key", "-"}, nil, strings.NewReader(""), &out, &errOut))
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{[]string{"all", "--nope"}, nil, "flag provided but not defined"},
		{[]string{"all", "extra"}, nil, `unexpected argument "extra"`},
		{[]string{"all", "--config", "/does/not/exist.yaml"}, nil, "read config"},
		{[]string{"all"}, []string{"TROLLY_API_LISTEN=8080"}, `api.listen: "8080" is not host:port`},
		{[]string{"all"}, []string{"TROLLY_NOPE=1"}, "TROLLY_NOPE: names no configuration key"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.Equal(t, exitUsage, run(context.Background(), tt.args, tt.env, nil, &out, &errOut))
			require.Contains(t, errOut.String(), tt.want)
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"version"}, nil, nil, &out, &out))
	require.True(t, strings.HasPrefix(out.String(), "trolly "))
	out.Reset()
	require.Equal(t, exitOK, run(context.Background(), []string{"help"}, nil, nil, &out, &out))
	require.Contains(t, out.String(), "hash-key")
}

// TestSingleLayerRefusesEmbeddedNATS checks that a layer alone does not start a NATS
// server of its own, which no other process would share.
func TestSingleLayerRefusesEmbeddedNATS(t *testing.T) {
	dir := t.TempDir()
	cfg := fmt.Sprintf("data_dir: %s\nadmin: {listen: %q}\nqueue: {driver: nats, nats: {embedded: true}}\n",
		filepath.Join(dir, "data"), freeAddr(t))
	path := filepath.Join(dir, "trolly.yaml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	for _, layer := range []string{"gateway", "processor", "indexer", "archiver"} {
		t.Run(layer, func(t *testing.T) {
			var stderr bytes.Buffer
			code := run(context.Background(), []string{layer, "--config", path}, nil, nil, &bytes.Buffer{}, &stderr)
			require.Equal(t, exitFailure, code, stderr.String())
			require.Contains(t, stderr.String(), "the embedded NATS server lives inside one process")
		})
	}
}
