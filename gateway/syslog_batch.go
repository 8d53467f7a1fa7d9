package gateway

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"github.com/trolly-logs/trolly/ingest"
	"github.com/trolly-logs/trolly/ingest/syslog"
	"github.com/trolly-logs/trolly/tenant"
)

// syslogBatch gathers the messages of one tenant's stream until it is sent.
type syslogBatch struct {
	tenantID  string
	tenantKey string
	backlog   int64 // the plan's share of the backlog, 0: the queue's
	stream    tenant.Stream
	lim       *rate.Limiter
	recs      []ingest.Record
	// buf holds the records' data, copied out of the framer's buffer. A record keeps
	// pointing into the array it was written to when a later append moves buf, so that
	// reusing buf after a send costs no allocation per message.
	buf   []byte
	bytes int // as received, token included
	due   time.Time
}

// add appends the message of f, without its auth element, cut to maxLine bytes.
func (b *syslogBatch) add(a *syslog.Auth, f syslog.Frame, maxLine int, remote string) {
	start := len(b.buf)
	b.buf = a.AppendData(b.buf, f.Data)
	data, truncated := b.buf[start:], f.Truncated
	if len(data) > maxLine {
		// The tenant's max_line_bytes is below the listener's: the same rule, cut and mark.
		cut, _ := syslog.Datagram(data, maxLine)
		data, truncated = cut.Data, true
	}
	b.recs = append(b.recs, syslog.Record(data, truncated, remote))
	b.bytes += len(f.Data)
}

func (b *syslogBatch) reset() {
	clear(b.recs) // let the records' arrays go
	b.recs, b.buf, b.bytes, b.due = b.recs[:0], b.buf[:0], 0, time.Time{}
}

type batchKey struct{ tenantKey, stream string }

// pending holds the batches a listener is filling, one per tenant and stream. It is not
// safe for concurrent use.
type pending struct {
	batches  map[batchKey]*syslogBatch
	free     []*syslogBatch
	records  int
	maxBytes int
	wait     time.Duration
}

func newPending(cfg Config) *pending {
	return &pending{batches: map[batchKey]*syslogBatch{}, records: cfg.Syslog.BatchRecords, maxBytes: int(cfg.MaxBodyBytes), wait: cfg.Syslog.BatchWait}
}

// add puts a message in its stream's batch and returns the batch when it is full, taken
// out of pending: the caller sends it, then hands it back with release.
func (p *pending) add(s *sender, st *tenant.Stream, a *syslog.Auth, f syslog.Frame, remote string) *syslogBatch {
	k := batchKey{s.tenantKey, st.Name}
	b := p.batches[k]
	if b == nil {
		if n := len(p.free); n > 0 {
			b, p.free = p.free[n-1], p.free[:n-1]
		} else {
			b = &syslogBatch{}
		}
		b.tenantID, b.tenantKey, b.backlog, b.stream, b.lim, b.due = s.tenantID, s.tenantKey, s.backlog, *st, s.lim, time.Now().Add(p.wait)
		p.batches[k] = b
	}
	b.add(a, f, s.maxLine, remote)
	if len(b.recs) < p.records && len(b.buf) < p.maxBytes {
		return nil
	}
	delete(p.batches, k)
	return b
}

// due returns when the first batch must be sent; zero when none is pending.
func (p *pending) due() time.Time {
	var first time.Time
	for _, b := range p.batches {
		if first.IsZero() || b.due.Before(first) {
			first = b.due
		}
	}
	return first
}

// take removes and returns the batches due by now, or all of them when now is zero.
func (p *pending) take(now time.Time, into []*syslogBatch) []*syslogBatch {
	for k, b := range p.batches {
		if now.IsZero() || !now.Before(b.due) {
			into = append(into, b)
			delete(p.batches, k)
		}
	}
	return into
}

// release keeps a sent batch for reuse.
func (p *pending) release(b *syslogBatch) {
	b.reset()
	if len(p.free) < 8 {
		p.free = append(p.free, b)
	}
}

// deliver publishes a batch of a stream connection. It first waits out the tenant's rate,
// then retries while the queue is unavailable, so that reading pauses instead of dropping
// (the sender's TCP window closes, and it queues). It gives up only when ctx ends — the
// shutdown grace is over — and counts the records dropped.
func (g *Gateway) deliver(ctx context.Context, b *syslogBatch, protocol, remote string) {
	g.throttle(ctx, b, protocol)
	backoff := 10 * time.Millisecond
	for {
		rej := g.publish(ctx, owner{b.tenantID, b.tenantKey, b.backlog}, b.stream, protocol, remote, b.recs)
		if rej == nil {
			g.accepted(b, protocol)
			return
		}
		if (rej.code != reasonUnavailable && rej.code != reasonBacklog && rej.code != reasonTenantBacklog) || ctx.Err() != nil {
			reason := rej.code
			if ctx.Err() != nil {
				reason = reasonShutdown
			}
			g.drop(b, protocol, reason)
			return
		}
		g.pause(ctx, b.tenantID, protocol, rej.code, backoff)
		backoff = min(2*backoff, g.cfg.RetryAfter)
	}
}

// throttle spends the batch's bytes from the tenant's budget, sleeping until they are
// there: over TCP the rate limit slows the sender rather than losing its messages.
func (g *Gateway) throttle(ctx context.Context, b *syslogBatch, protocol string) {
	if b.lim.Limit() == rate.Inf || b.lim.Burst() <= 0 {
		return
	}
	now := g.now()
	var wait time.Duration
	for n := b.bytes; n > 0; {
		take := min(n, b.lim.Burst())
		r := b.lim.ReserveN(now, take)
		if !r.OK() {
			break
		}
		wait = max(wait, r.DelayFrom(now))
		n -= take
	}
	if wait > 0 {
		g.pause(ctx, b.tenantID, protocol, reasonRateLimited, wait)
	}
}

// pause sleeps d, or less when ctx ends, and counts the time a listener did not read.
func (g *Gateway) pause(ctx context.Context, tenantID, protocol, reason string, d time.Duration) {
	start := time.Now()
	sleep(ctx, d)
	g.syslog.paused.WithLabelValues(tenantID, protocol, reason).Add(time.Since(start).Seconds())
}

// sleep waits d, or less when ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (g *Gateway) accepted(b *syslogBatch, protocol string) {
	g.metrics.records.WithLabelValues(b.tenantID, protocol).Add(float64(len(b.recs)))
	g.metrics.bytes.WithLabelValues(b.tenantID, protocol).Add(float64(b.bytes))
}

func (g *Gateway) drop(b *syslogBatch, protocol, reason string) {
	g.syslog.dropped.WithLabelValues(b.tenantID, protocol, reason).Add(float64(len(b.recs)))
	g.log.Warn("syslog messages dropped", "tenant", b.tenantID, "stream", b.stream.Name, "protocol", protocol,
		"records", len(b.recs), "reason", reason)
}

// graceContext returns a context for publishing that outlives ctx by grace: what was read
// before the shutdown is still published.
func graceContext(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	pub, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })
	return pub, func() {
		stop()
		cancel()
	}
}
