package search

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func newTestGate(t *testing.T, slots int, wait time.Duration) *Gate {
	t.Helper()
	g, err := NewGate(GateConfig{MaxConcurrent: slots, MaxQueueWait: wait}, nil)
	require.NoError(t, err)
	return g
}

// queued starts an Acquire that must wait, and returns where its slot's release arrives
// once granted.
func queued(t *testing.T, g *Gate, tenantID string) <-chan func() {
	t.Helper()
	before := g.Waiting()
	got := make(chan func(), 1)
	go func() {
		release, err := g.Acquire(context.Background(), tenantID)
		if err == nil {
			got <- release
		}
		close(got)
	}()
	require.Eventually(t, func() bool { return g.Waiting() == before+1 }, 10*time.Second, time.Millisecond, "%s waits", tenantID)
	return got
}

func acquire(t *testing.T, g *Gate, tenantID string) func() {
	t.Helper()
	release, err := g.Acquire(context.Background(), tenantID)
	require.NoError(t, err)
	return release
}

// TestGateOtherTenantNotKeptOut: with two slots, tenant a's many searches cannot keep b
// out: b's search gets a slot before a's queued ones.
func TestGateOtherTenantNotKeptOut(t *testing.T) {
	g := newTestGate(t, 2, 10*time.Minute)
	a1 := acquire(t, g, "a")
	var aQueue []<-chan func()
	for range 3 {
		aQueue = append(aQueue, queued(t, g, "a"))
	}
	released := make(chan func(), 1)
	go func() {
		release, err := g.Acquire(context.Background(), "b")
		if err == nil {
			released <- release
		}
		close(released)
	}()
	b1, ok := <-released
	require.True(t, ok, "b's search got a slot")
	require.Equal(t, 3, g.Waiting(), "a's searches still wait")

	b1()
	a1()
	for _, q := range aQueue {
		release, ok := <-q
		require.True(t, ok)
		release()
	}
	require.Zero(t, g.Waiting())
}

// TestGateFreeSlotToFewestHeld hands a freed slot to the tenant that holds the fewest,
// ahead of a tenant that holds its share and queued first.
func TestGateFreeSlotToFewestHeld(t *testing.T) {
	g := newTestGate(t, 3, 10*time.Minute)
	a1, a2, b1 := acquire(t, g, "a"), acquire(t, g, "a"), acquire(t, g, "b")
	a3 := queued(t, g, "a")
	c1 := queued(t, g, "c")

	b1()
	require.Eventually(t, func() bool { return len(c1)+len(a3) > 0 }, 10*time.Second, time.Millisecond, "b's slot is handed on")
	require.Len(t, c1, 1, "c, holding none, comes before a, holding two")
	require.Equal(t, 1, g.Waiting(), "a's search still waits")
	release := <-c1
	a1()
	a3release, ok := <-a3
	require.True(t, ok, "a's search gets the slot a freed")
	for _, r := range []func(){release, a2, a3release} {
		r()
	}
	a4 := acquire(t, g, "a")
	a5 := acquire(t, g, "a")
	a4()
	a5()
}

func TestGateWaitIsBounded(t *testing.T) {
	tests := []struct {
		name    string
		wait    time.Duration
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"max_queue_wait", time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, ErrBusy},
		{"the query's deadline", 10 * time.Minute, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Millisecond)
		}, ErrBusy},
		{"canceled", 10 * time.Minute, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newTestGate(t, 1, tt.wait)
			release := acquire(t, g, "a")
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := g.Acquire(ctx, "b")
			require.ErrorIs(t, err, tt.wantErr)
			require.Zero(t, g.Waiting(), "a refused search leaves the queue")
			release()
			acquire(t, g, "b")()
		})
	}
}

func TestGateConfig(t *testing.T) {
	var c GateConfig
	c.ApplyDefaults()
	require.NoError(t, c.Validate())
	require.GreaterOrEqual(t, c.MaxConcurrent, 2)
	require.Equal(t, DefaultMaxQueueWait, c.MaxQueueWait)
	for _, tt := range []struct {
		name string
		c    GateConfig
		want string
	}{
		{"negative slots", GateConfig{MaxConcurrent: -1, MaxQueueWait: time.Second}, "max_concurrent: must be > 0, got -1"},
		{"negative wait", GateConfig{MaxConcurrent: 1, MaxQueueWait: -time.Second}, "max_queue_wait: must be > 0"},
		{"wait too long", GateConfig{MaxConcurrent: 1, MaxQueueWait: time.Hour}, "max_queue_wait: must be > 0 and at most 10m0s, got 1h0m0s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorContains(t, tt.c.Validate(), tt.want)
			_, err := NewGate(tt.c, nil)
			require.ErrorContains(t, err, tt.want)
		})
	}
}
