package auth

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testLimiter(clock *fakeClock) *limiter {
	return newLimiter(Config{LoginFailuresPerAccount: 5, LoginFailuresPerAddress: 20, LoginFailureWindow: 15 * time.Minute}, clock.Now)
}

// fail records n failed attempts, each refused if limited.
func fail(t *testing.T, l *limiter, n int, account, address string) {
	t.Helper()
	for i := range n {
		_, _, ok := l.take(account, address)
		require.True(t, ok, "attempt %d", i+1)
	}
}

func TestLimiterPerAccount(t *testing.T) {
	clock := &fakeClock{t: t0}
	l := testLimiter(clock)
	fail(t, l, 5, "ann@example.com", "10.0.0.1")
	_, retry, ok := l.take("ann@example.com", "10.0.0.1")
	require.False(t, ok, "the account is limited from that address")
	require.Equal(t, 3*time.Minute, retry, "one failure comes back every window/5")
	fail(t, l, 5, "ann@example.com", "10.0.0.2") // another address: another budget of the account

	_, _, ok = l.take("bob@example.com", "10.0.0.1")
	require.True(t, ok, "another account from the same address is not limited")

	clock.Advance(time.Minute)
	_, retry, ok = l.take("ann@example.com", "10.0.0.1")
	require.False(t, ok)
	require.Equal(t, 2*time.Minute, retry)

	clock.Advance(2 * time.Minute)
	fail(t, l, 1, "ann@example.com", "10.0.0.1")
	_, _, ok = l.take("ann@example.com", "10.0.0.1")
	require.False(t, ok)

	clock.Advance(15 * time.Minute)
	fail(t, l, 5, "ann@example.com", "10.0.0.1")
}

func TestLimiterPerAddress(t *testing.T) {
	clock := &fakeClock{t: t0}
	l := testLimiter(clock)
	for i := range 20 {
		fail(t, l, 1, fmt.Sprintf("user%d@example.com", i), "10.0.0.1")
	}
	_, retry, ok := l.take("new@example.com", "10.0.0.1")
	require.False(t, ok, "the address is limited for any account")
	require.Equal(t, 45*time.Second, retry)
	fail(t, l, 1, "new@example.com", "10.0.0.2")
	fail(t, l, 1, "other@example.com", "")
}

func TestLimiterReleaseRefunds(t *testing.T) {
	clock := &fakeClock{t: t0}
	l := testLimiter(clock)
	fail(t, l, 4, "ann@example.com", "10.0.0.1")
	for range 10 {
		release, _, ok := l.take("ann@example.com", "10.0.0.1")
		require.True(t, ok, "successful attempts cost nothing")
		release()
		release() // twice gives back once
	}
	fail(t, l, 1, "ann@example.com", "10.0.0.1")
	_, _, ok := l.take("ann@example.com", "10.0.0.1")
	require.False(t, ok)
}

func TestLimiterBoundsMemory(t *testing.T) {
	clock := &fakeClock{t: t0}
	l := testLimiter(clock)
	l.account.capacity, l.address.capacity = 10, 10
	for i := range 25 {
		fail(t, l, 1, fmt.Sprintf("user%d@example.com", i), fmt.Sprintf("10.0.0.%d", i))
	}
	require.LessOrEqual(t, len(l.account.buckets), 10)
	require.LessOrEqual(t, len(l.address.buckets), 10)

	// Once idle for a window, buckets are full again and go at the next sweep.
	clock.Advance(16 * time.Minute)
	fail(t, l, 1, "late@example.com", "10.1.0.1")
	require.Len(t, l.account.buckets, 1)
	require.Len(t, l.address.buckets, 1)
}

func TestLimitedError(t *testing.T) {
	var err error = &LimitedError{RetryAfter: time.Minute}
	require.ErrorIs(t, err, ErrLimited)
	var le *LimitedError
	require.True(t, errors.As(fmt.Errorf("login: %w", err), &le))
	require.Equal(t, time.Minute, le.RetryAfter)
}

func TestKeys(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4":           "1.2.3.4",
		"1.2.3.4:5678":      "1.2.3.4",
		"::ffff:1.2.3.4":    "1.2.3.4",
		"[2001:db8::1]:443": "2001:db8::/64",
		"2001:db8::1:2:3:4": "2001:db8::/64",
		"2001:db8:0:1::1":   "2001:db8:0:1::/64",
		"not an address":    "not an address",
		"":                  "",
	} {
		require.Equal(t, want, addressKey(in), in)
	}
	require.Equal(t, "ann@example.com", accountKey(" Ann@Example.COM "))
	long := string(make([]byte, 253)) + "é"
	require.Len(t, accountKey(long), 253, "cut on a rune boundary")
}
