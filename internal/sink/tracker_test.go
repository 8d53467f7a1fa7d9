package sink

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestTrackerBackoffDoublesPerTenant(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	tr := NewTracker("test", Policy{}, time.Second, 5*time.Second, c.now, nil)
	err := errors.New("disk full")
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		require.Equal(t, want, tr.Failed("acme", err))
	}
	require.Equal(t, time.Second, tr.Failed("globex", err), "another tenant starts from the first backoff")
	tr.Succeeded("acme")
	require.Equal(t, time.Second, tr.Failed("acme", err), "a success resets the tenant")
}

func TestTrackerReadiness(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	tr := NewTracker("archiver", Policy{UnreadyAfter: time.Minute}, time.Second, time.Second, c.now, nil)
	require.NoError(t, tr.Ready())
	tr.Failed("acme", errors.New("disk full"))
	c.t = c.t.Add(time.Minute)
	require.NoError(t, tr.Ready(), "within the grace")
	c.t = c.t.Add(time.Second)
	require.ErrorContains(t, tr.Ready(), "archiver: every write has failed for 1m1s: disk full")
	tr.Succeeded("globex")
	require.NoError(t, tr.Ready(), "one write that succeeds is enough")
}

func TestTrackerGiveUp(t *testing.T) {
	start := time.Unix(1000, 0)
	for _, tc := range []struct {
		name       string
		failures   int
		age        time.Duration
		otherWrote bool
		want       bool
	}{
		{"too many attempts", 3, time.Second, true, true},
		{"too old", 1, time.Hour, true, true},
		{"neither", 2, time.Minute, true, false},
		{"outage: nothing written since", 3, time.Hour, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: start}
			tr := NewTracker("test", Policy{DeadLetterAttempts: 3, DeadLetterAge: time.Hour}, time.Second, time.Second, c.now, nil)
			var a Attempts
			for range tc.failures {
				tr.Fail(&a)
			}
			c.t = c.t.Add(tc.age)
			if tc.otherWrote {
				tr.Succeeded("globex")
			}
			require.Equal(t, tc.want, tr.GiveUp("acme", a))
		})
	}
}

// Once a tenant has failed too often, its next batch is given up at its first failure.
func TestTrackerGivesUpABrokenTenantsNewBatches(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	tr := NewTracker("test", Policy{DeadLetterAttempts: 3}, time.Second, time.Second, c.now, nil)
	err := errors.New("index corrupt")
	var old, fresh Attempts
	for range 3 {
		tr.Failed("acme", err)
		tr.Fail(&old)
	}
	c.t = c.t.Add(time.Second)
	tr.Succeeded("globex")
	require.True(t, tr.GiveUp("acme", old))
	tr.Failed("acme", err)
	tr.Fail(&fresh)
	require.True(t, tr.GiveUp("acme", fresh), "acme has failed 4 times in a row")
	require.False(t, tr.GiveUp("globex", fresh), "globex has not")
}

func TestBadPolicy(t *testing.T) {
	err := Policy{DeadLetterAttempts: -1, DeadLetterAge: -time.Second, UnreadyAfter: -time.Second}.Validate()
	require.ErrorContains(t, err, "dead_letter_attempts: must be > 0")
	require.ErrorContains(t, err, "dead_letter_age: must be > 0")
	require.ErrorContains(t, err, "unready_after: must be > 0")
	p := Policy{}
	p.ApplyDefaults()
	require.NoError(t, p.Validate())
}
