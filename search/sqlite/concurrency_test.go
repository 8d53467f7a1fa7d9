package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/search"
)

var concurrentIndices = []struct {
	name  string
	start time.Time
}{
	{"trolly-acme-2024.01.31", day},
	{"trolly-acme-2024.02.01", day.AddDate(0, 0, 1)},
	{"trolly-acme-corp-2024.01", day},
}

// written records the ids each index was given.
type written struct {
	mu  sync.Mutex
	ids map[string]map[string]bool
}

func (w *written) add(index string, docs []search.Doc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.ids[index] == nil {
		w.ids[index] = map[string]bool{}
	}
	for _, d := range docs {
		w.ids[index][d.ID] = true
	}
}

// write writes batches of overlapping ids, spread over the indices.
func (w *written) write(ctx context.Context, b *Backend, writer int) error {
	const batches, batchSize, distinct = 10, 20, 50
	for i := range batches {
		ix := concurrentIndices[(writer+i)%len(concurrentIndices)]
		docs := make([]search.Doc, batchSize)
		for j := range docs {
			n := (writer*batches*batchSize + i*batchSize + j) % distinct
			docs[j] = doc(fmt.Sprintf("e%d", n), ix.start.Add(time.Duration(n)*time.Minute), "word")
		}
		if err := b.Write(ctx, ix.name, docs); err != nil {
			return err
		}
		w.add(ix.name, docs)
	}
	return nil
}

// Writers and searchers share index files through a cache of one, so that files are
// evicted and reopened while in use.
func TestConcurrentWriteSearch(t *testing.T) {
	b, err := Open(Config{Dir: t.TempDir(), MaxOpenIndices: 1}, nil, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	w := &written{ids: map[string]map[string]bool{}}
	q := mustParse(t, "word")
	g, ctx := errgroup.WithContext(testContext(t))
	for writer := range 4 {
		g.Go(func() error { return w.write(ctx, b, writer) })
	}
	for range 2 {
		g.Go(func() error {
			for range 10 {
				for _, tenant := range []string{"acme", "acme-corp"} {
					res, err := b.Search(ctx, search.Request{Tenant: tenant, Query: q, Limit: 5})
					if err != nil {
						return err
					}
					if len(res.Hits) > 5 || len(res.Hits) > int(res.Total) {
						return fmt.Errorf("%s: %d hits, total %d", tenant, len(res.Hits), res.Total)
					}
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())
	acme := len(w.ids[concurrentIndices[0].name]) + len(w.ids[concurrentIndices[1].name])
	require.Equal(t, int64(acme), total(t, b, "acme", "word"), "each id once per index")
	require.Equal(t, int64(len(w.ids[concurrentIndices[2].name])), total(t, b, "acme-corp", ""))
}
