package search_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trolly-logs/trolly/search"
	"github.com/trolly-logs/trolly/search/query"
)

var tailDay = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func tailDoc(tenant string, i int, msg string) search.Doc {
	return search.Doc{
		ID: fmt.Sprintf("%s-%d", tenant, i), Timestamp: tailDay,
		Source: fmt.Appendf(nil, `{"@timestamp":"2024-03-01T12:00:00Z","message":%q,"organization":{"id":%q},"http":{"response":{"status_code":%d}}}`,
			msg, tenant, 200+i%2*300),
	}
}

func newHub(t *testing.T, cfg search.TailConfig) *search.Hub {
	t.Helper()
	h, err := search.NewHub(cfg, nil)
	require.NoError(t, err)
	t.Cleanup(h.Close)
	return h
}

func openTail(t *testing.T, h search.Tailer, tenant, q string) search.Tail {
	t.Helper()
	n, err := query.Parse(q)
	require.NoError(t, err)
	tl, err := h.Tail(t.Context(), search.TailRequest{Tenant: tenant, Query: n})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, tl.Close()) })
	return tl
}

// drain reads what tl holds until it has been quiet for a moment.
func drain(t *testing.T, tl search.Tail) []string {
	t.Helper()
	var ids []string
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		h, err := tl.Next(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			return ids
		}
		require.NoError(t, err)
		ids = append(ids, h.ID)
	}
}

func index(key string) string { return search.IndexName(key, tailDay, 7) }

func TestHubMatchesWithinTheTenant(t *testing.T) {
	h := newHub(t, search.TailConfig{})
	errs := openTail(t, h, "acme", "http.response.status_code >= 500 AND timeout")
	all := openTail(t, h, "acme", "")
	other := openTail(t, h, "acme2", "")

	h.Publish(index("acme"), []search.Doc{
		tailDoc("acme", 1, "upstream timeout"), tailDoc("acme", 2, "upstream timeout"),
		tailDoc("acme", 3, "ok"), tailDoc("acme", 5, "read timeout"),
	})
	h.Publish(index("acme2"), []search.Doc{tailDoc("acme2", 1, "upstream timeout")})
	h.Publish("not an index", []search.Doc{tailDoc("acme", 7, "timeout")})

	require.Equal(t, []string{"acme-1", "acme-5"}, drain(t, errs))
	require.Equal(t, []string{"acme-1", "acme-2", "acme-3", "acme-5"}, drain(t, all))
	require.Equal(t, []string{"acme2-1"}, drain(t, other), "a key that starts the same is another tenant")
}

func TestHubHitCarriesTheEvent(t *testing.T) {
	h := newHub(t, search.TailConfig{})
	tl := openTail(t, h, "acme", "")
	d := tailDoc("acme", 1, "hello")
	h.Publish(index("acme"), []search.Doc{d})
	hit, err := tl.Next(t.Context())
	require.NoError(t, err)
	require.Equal(t, search.Hit{ID: d.ID, Index: index("acme"), Timestamp: d.Timestamp, Source: d.Source}, hit)
}

// A reader that does not keep up is cut off, while the publisher goes on without waiting
// and a reader that keeps up gets every event.
func TestHubCutsOffASlowReader(t *testing.T) {
	h := newHub(t, search.TailConfig{Buffer: 100})
	slow := openTail(t, h, "acme", "")
	fast := openTail(t, h, "acme", "")

	const batches, per = 200, 10
	got := make(chan int)
	var read atomic.Int64
	go func() {
		n := 0
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := fast.Next(ctx)
			cancel()
			if err != nil {
				got <- n
				return
			}
			n++
			read.Store(int64(n))
		}
	}()
	published := make(chan struct{})
	go func() {
		defer close(published)
		for b := range batches {
			docs := make([]search.Doc, per)
			for i := range docs {
				docs[i] = tailDoc("acme", b*per+i, "line")
			}
			h.Publish(index("acme"), docs)
			for read.Load() < int64((b-5)*per) { // a pace the fast reader keeps
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	select {
	case <-published:
	case <-time.After(10 * time.Second):
		t.Fatal("the publisher waited for a reader")
	}
	require.Equal(t, batches*per, <-got, "the fast reader lost events")

	var err error
	for err == nil {
		_, err = slow.Next(t.Context())
	}
	require.ErrorIs(t, err, search.ErrTailTooSlow)
	require.Equal(t, "tail_too_slow", search.TailCode(err))

	// Its place is free again.
	h2 := newHub(t, search.TailConfig{MaxPerTenant: 1, MaxTotal: 1, Buffer: 1})
	s := openTail(t, h2, "acme", "")
	h2.Publish(index("acme"), []search.Doc{tailDoc("acme", 1, "a"), tailDoc("acme", 2, "b")}) // taken whole
	h2.Publish(index("acme"), []search.Doc{tailDoc("acme", 3, "c")})                          // one too many
	_, err = s.Next(t.Context())
	require.ErrorIs(t, err, search.ErrTailTooSlow, "nothing is read once cut off")
	openTail(t, h2, "acme", "")
}

func TestHubLimits(t *testing.T) {
	h := newHub(t, search.TailConfig{MaxPerTenant: 2, MaxTotal: 3})
	a1 := openTail(t, h, "acme", "")
	openTail(t, h, "acme", "")
	_, err := h.Tail(t.Context(), search.TailRequest{Tenant: "acme"})
	require.ErrorIs(t, err, search.ErrTailTenantLimit)
	openTail(t, h, "demo", "")
	_, err = h.Tail(t.Context(), search.TailRequest{Tenant: "other"})
	require.ErrorIs(t, err, search.ErrTailLimit)

	require.NoError(t, a1.Close())
	require.NoError(t, a1.Close(), "closing twice is harmless")
	openTail(t, h, "acme", "")
}

func TestHubClose(t *testing.T) {
	h, err := search.NewHub(search.TailConfig{}, nil)
	require.NoError(t, err)
	tl := openTail(t, h, "acme", "")
	ended := make(chan error, 1)
	go func() {
		_, err := tl.Next(context.Background())
		ended <- err
	}()
	h.Close()
	select {
	case err := <-ended:
		require.ErrorIs(t, err, search.ErrTailClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting reader did not see the hub close")
	}
	_, err = h.Tail(t.Context(), search.TailRequest{Tenant: "acme"})
	require.ErrorIs(t, err, search.ErrTailClosed)
}

// Events held are read even once the reader's context has ended; then its error comes.
func TestHubNextPrefersHeldEvents(t *testing.T) {
	h := newHub(t, search.TailConfig{})
	tl := openTail(t, h, "acme", "")
	h.Publish(index("acme"), []search.Doc{tailDoc("acme", 1, "a")})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	hit, err := tl.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, "acme-1", hit.ID)
	_, err = tl.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestTailCodes(t *testing.T) {
	for _, err := range []error{search.ErrTailTooSlow, search.ErrTailTenantLimit, search.ErrTailLimit, search.ErrTailClosed} {
		code := search.TailCode(fmt.Errorf("wrapped: %w", err))
		require.NotEmpty(t, code)
		require.Equal(t, err, search.TailError(code))
	}
	require.Empty(t, search.TailCode(errors.New("other")))
	require.NoError(t, search.TailError("nonsense"))
}

func TestTailConfigValidate(t *testing.T) {
	for _, c := range []search.TailConfig{
		{Buffer: -1}, {MaxPerTenant: 10, MaxTotal: 5}, {MaxDuration: -time.Second},
		{MaxDuration: 48 * time.Hour}, {Heartbeat: 2 * time.Minute},
	} {
		_, err := search.NewHub(c, nil)
		require.Error(t, err, "%+v", c)
	}
}

type recordingBackend struct {
	search.Backend
	fail   error
	writes []string
}

func (r *recordingBackend) Write(_ context.Context, index string, _ []search.Doc) error {
	r.writes = append(r.writes, index)
	return r.fail
}

func TestPublishingAfterTheWrite(t *testing.T) {
	h := newHub(t, search.TailConfig{})
	tl := openTail(t, h, "acme", "")
	rb := &recordingBackend{fail: errors.New("disk full")}
	b := search.Publishing(rb, h)
	require.ErrorContains(t, b.Write(t.Context(), index("acme"), []search.Doc{tailDoc("acme", 1, "a")}), "disk full")
	require.Empty(t, drain(t, tl), "an event that was not written is not tailed")
	rb.fail = nil
	require.NoError(t, b.Write(t.Context(), index("acme"), []search.Doc{tailDoc("acme", 2, "b")}))
	require.Equal(t, []string{"acme-2"}, drain(t, tl))
	require.Equal(t, []string{index("acme"), index("acme")}, rb.writes)
}
