package storage_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/storage"
	"github.com/trolly-logs/trolly/storage/fs"
)

// archived is one chunk read back.
type archived struct {
	key  string
	ref  storage.ChunkRef
	docs []string
}

// readArchive reads every chunk of the bucket, in key order.
func readArchive(ctx context.Context, b storage.Bucket) ([]archived, error) {
	var out []archived
	for key, err := range b.List(ctx, "") {
		if err != nil {
			return nil, err
		}
		ref, err := storage.ParseChunkKey(key)
		if err != nil {
			return nil, err
		}
		data, err := b.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		docs, err := storage.ReadChunk(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		c := archived{key: key, ref: ref}
		for _, d := range docs {
			c.docs = append(c.docs, string(d))
		}
		out = append(out, c)
	}
	return out, nil
}

func mustReadArchive(t *testing.T, b storage.Bucket) []archived {
	t.Helper()
	out, err := readArchive(t.Context(), b)
	require.NoError(t, err)
	return out
}

// streamDocs returns the documents per "<tenant>/<stream>/<hour>", in archive order.
func streamDocs(chunks []archived) map[string][]string {
	out := map[string][]string{}
	for _, c := range chunks {
		k := fmt.Sprintf("%s/%s/%s", c.ref.Tenant, c.ref.Stream, c.ref.Hour.Format(time.RFC3339))
		out[k] = append(out[k], c.docs...)
	}
	return out
}

func newFSBucket(t *testing.T) storage.Bucket {
	b, err := fs.New(filepath.Join(t.TempDir(), "archive"))
	require.NoError(t, err)
	return b
}

// event returns an ECS-like document with a unique id, stamped at ts.
func event(id string, ts time.Time, message string) *trollyv1.Event {
	doc, err := json.Marshal(map[string]any{
		"@timestamp": ts.UTC().Format(time.RFC3339Nano),
		"message":    message,
		"event":      map[string]any{"id": id},
	})
	if err != nil {
		return nil // a map of strings always marshals
	}
	return &trollyv1.Event{Id: id, TimestampUnixNano: ts.UnixNano(), Source: doc}
}

func batchOf(tenant, stream, id string, events ...*trollyv1.Event) *trollyv1.EventBatch {
	return &trollyv1.EventBatch{BatchId: id, TenantId: tenant, Stream: stream, Events: events}
}

// fixedClock is an injectable clock that tests move.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// flakyBucket fails the first failures Puts, or every Put when failures is negative.
type flakyBucket struct {
	storage.Bucket
	mu       sync.Mutex
	failures int
	attempts chan string
}

var errInjected = errors.New("injected put failure")

func (f *flakyBucket) Put(ctx context.Context, key string, data []byte) error {
	f.mu.Lock()
	fail := f.failures != 0
	if f.failures > 0 {
		f.failures--
	}
	f.mu.Unlock()
	if f.attempts != nil {
		select {
		case f.attempts <- key:
		default:
		}
	}
	if fail {
		return errInjected
	}
	return f.Bucket.Put(ctx, key, data)
}

// corpusLines returns the lines of the shared public samples, or skips the test.
func corpusLines(tb testing.TB) []string {
	dir := filepath.Join("..", "..", "shared", "corpus")
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(files) == 0 {
		tb.Skipf("no public log samples in %s", dir)
	}
	var lines []string
	for _, name := range files {
		f, err := os.Open(name)
		require.NoError(tb, err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
		}
		require.NoError(tb, sc.Err())
		require.NoError(tb, f.Close())
	}
	return lines
}
