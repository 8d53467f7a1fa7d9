package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// ErrLimited is wrapped by LimitedError.
var ErrLimited = errors.New("too many failed sign-ins")

// LimitedError is returned by Login when the account or the address had too many failed
// sign-ins of late; errors.Is(err, ErrLimited). RetryAfter is when one more attempt may be
// made, in whole seconds.
type LimitedError struct{ RetryAfter time.Duration }

func (e *LimitedError) Error() string {
	return fmt.Sprintf("%v: retry in %s", ErrLimited, e.RetryAfter)
}

// Unwrap makes errors.Is(err, ErrLimited) hold.
func (e *LimitedError) Unwrap() error { return ErrLimited }

// ErrBusy is wrapped by BusyError.
var ErrBusy = errors.New("too many password checks at once")

// BusyError is returned by Login when every password hash slot stayed taken for
// Config.PasswordHashWait; errors.Is(err, ErrBusy). RetryAfter is a whole number of seconds.
type BusyError struct{ RetryAfter time.Duration }

func (e *BusyError) Error() string {
	return fmt.Sprintf("%v: retry in %s", ErrBusy, e.RetryAfter)
}

// Unwrap makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Unwrap() error { return ErrBusy }

const (
	// maxLimiterEntries bounds the memory of each budget; beyond it, arbitrary entries go.
	maxLimiterEntries = 100_000
	// sweepAtCapacityEvery bounds the full scans a flood of new names can cause.
	sweepAtCapacityEvery = time.Second
)

// limiter counts failed sign-ins per account from one address, and per address, each a
// token bucket that holds the allowed failures and refills them over the window. The
// account's budget is per address so that failures elsewhere cannot lock its owner out;
// the address's budget bounds one address guessing many accounts.
type limiter struct {
	now              func() time.Time
	mu               sync.Mutex
	account, address budget
}

func newLimiter(cfg Config, now func() time.Time) *limiter {
	return &limiter{
		now:     now,
		account: newBudget(cfg.LoginFailuresPerAccount, cfg.LoginFailureWindow),
		address: newBudget(cfg.LoginFailuresPerAddress, cfg.LoginFailureWindow),
	}
}

// take spends one failure of the account from the address and of the address (when not
// empty) before an attempt, so that concurrent attempts cannot overrun the budget; release
// gives it back when the attempt did not fail. When either budget is spent it returns ok
// false and how long to wait.
func (l *limiter) take(account, address string) (release func(), retry time.Duration, ok bool) {
	if address != "" {
		account += "\x00" + address // no email or address holds a NUL
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	retry = l.account.wait(account, now)
	if address != "" {
		retry = max(retry, l.address.wait(address, now))
	}
	if retry > 0 {
		return nil, retry, false
	}
	l.account.spend(account, now)
	if address != "" {
		l.address.spend(address, now)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.account.refund(account)
			if address != "" {
				l.address.refund(address)
			}
		})
	}, 0, true
}

// budget is one kind of token buckets: burst failures, one more every per.
type budget struct {
	capacity  int // of buckets
	burst     float64
	per       time.Duration
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newBudget(failures int, window time.Duration) budget {
	return budget{capacity: maxLimiterEntries, burst: float64(failures), per: window / time.Duration(failures), buckets: map[string]*bucket{}}
}

// level returns the tokens b holds at now.
func (g *budget) level(b *bucket, now time.Time) float64 {
	return min(g.burst, b.tokens+float64(now.Sub(b.at))/float64(g.per))
}

// wait returns how long until name may fail once more; 0 when it may now.
func (g *budget) wait(name string, now time.Time) time.Duration {
	b, ok := g.buckets[name]
	if !ok {
		return 0
	}
	level := g.level(b, now)
	if level >= 1 {
		return 0
	}
	// Rounded first, so that float noise does not add a second.
	d := time.Duration((1 - level) * float64(g.per)).Round(time.Millisecond)
	return max(time.Second, (d + time.Second - 1).Truncate(time.Second))
}

func (g *budget) spend(name string, now time.Time) {
	b, ok := g.buckets[name]
	if !ok {
		g.makeRoom(now)
		b = &bucket{tokens: g.burst, at: now}
		g.buckets[name] = b
	}
	b.tokens, b.at = g.level(b, now)-1, now
}

func (g *budget) refund(name string) {
	if b, ok := g.buckets[name]; ok {
		b.tokens = min(g.burst, b.tokens+1)
	}
}

// makeRoom drops the full buckets, which are as good as none, once per window or when
// the map is at capacity; still at capacity, it drops an arbitrary one.
func (g *budget) makeRoom(now time.Time) {
	full := len(g.buckets) >= g.capacity
	window := time.Duration(g.burst) * g.per
	if now.Sub(g.lastSweep) >= window || (full && now.Sub(g.lastSweep) >= sweepAtCapacityEvery) {
		g.lastSweep = now
		for name, b := range g.buckets {
			if g.level(b, now) >= g.burst {
				delete(g.buckets, name)
			}
		}
	}
	for name := range g.buckets {
		if len(g.buckets) < g.capacity {
			break
		}
		delete(g.buckets, name)
	}
}

// accountKey is the name of an account's budget: the email as the catalog would find it.
func accountKey(email string) string {
	return truncate(strings.ToLower(strings.TrimSpace(email)), 254)
}

// addressKey is the name of an address's budget: the IP without port; an IPv6 address
// counts for its /64, which one client usually holds whole.
func addressKey(address string) string {
	address = strings.TrimSpace(address)
	if ap, err := netip.ParseAddrPort(address); err == nil {
		address = ap.Addr().String()
	}
	ip, err := netip.ParseAddr(address)
	if err != nil {
		return truncate(address, 256)
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.WithZone("").Prefix(64)
		return p.String()
	}
	return ip.String()
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
