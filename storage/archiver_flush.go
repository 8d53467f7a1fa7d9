package storage

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/oklog/ulid/v2"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
)

// handle buffers each delivery and writes the chunks it filled before taking the next,
// so that the buffer exceeds MaxBufferedBytes by one delivery at most. It fails only when
// ctx ends, after nacking the deliveries it did not take.
func (a *Archiver) handle(ctx context.Context, ds []*queue.Delivery) error {
	for i, d := range ds {
		a.accept(d)
		a.buf.limit(a.cfg.MaxBufferedBytes)
		if err := a.flush(ctx); err != nil {
			a.nack(ds[i+1:], errStopping)
			return err
		}
	}
	return nil
}

// accept adds a delivery's events to their chunks.
func (a *Archiver) accept(d *queue.Delivery) {
	var batch trollyv1.EventBatch
	if err := proto.Unmarshal(d.Body, &batch); err != nil {
		a.reject(d, "decode", fmt.Errorf("decode event batch: %w", err))
		return
	}
	// Chunks are filed under the tenant's key, so a tenant made again never reads its
	// predecessor's; a batch queued before keys existed has the tenant's id as key.
	key := cmp.Or(batch.GetTenantKey(), batch.GetTenantId())
	if !tenant.ValidID(batch.GetTenantId()) || !tenant.ValidKey(key) || tenant.IDOfKey(key) != batch.GetTenantId() ||
		!tenant.ValidStreamName(batch.GetStream()) {
		a.reject(d, "bad_tenant_or_stream", fmt.Errorf("event batch %s has an invalid tenant %q (key %q) or stream %q",
			batch.GetBatchId(), batch.GetTenantId(), key, batch.GetStream()))
		return
	}
	p := &pending{d: d, left: 1}
	now := a.now()
	empty, badStream := 0, 0
	for _, ev := range batch.GetEvents() {
		if len(ev.GetSource()) == 0 {
			empty++
			continue
		}
		stream := batch.GetStream()
		if s := ev.GetStream(); s != "" { // routed by a pipeline, within the same tenant
			if tenant.ValidStreamName(s) {
				stream = s
			} else {
				badStream++ // kept under the batch's stream rather than lost
			}
		}
		id := chunkID{tenant: key, stream: stream, hour: hourOf(ev.GetTimestampUnixNano())}
		a.buf.add(p, id, ev.GetSource(), now)
	}
	if empty > 0 {
		// Dropped, not rejected: rejecting the batch would lose its good events.
		a.metrics.dropped.WithLabelValues("empty_event").Add(float64(empty))
		a.log.Warn("events without a document skipped", "tenant", batch.GetTenantId(), "stream", batch.GetStream(), "batch", batch.GetBatchId(), "count", empty)
	}
	if badStream > 0 {
		a.metrics.misrouted.Add(float64(badStream))
		a.log.Warn("events routed to an invalid stream kept in the batch's stream", "tenant", batch.GetTenantId(), "batch", batch.GetBatchId(), "count", badStream)
	}
	a.metrics.buffered.Set(float64(a.buf.bytes))
	// The chunks hold copies of the events: the delivery waits for its chunks' writes with
	// its decoded body let go, which would otherwise stay in memory as long as they.
	d.Body = nil
	if p.release() {
		a.ack(d)
	}
}

// reject moves an envelope that can never be archived to the dead letters with its cause,
// so that it does not block the stream behind it.
func (a *Archiver) reject(d *queue.Delivery, reason string, cause error) {
	a.metrics.rejected.WithLabelValues(reason).Inc()
	a.log.Error("reject event batch", "reason", reason, "key", d.Key, "attempt", d.Attempt, "err", cause)
	if err := d.Reject(cause); err != nil {
		// It comes back, and is rejected again.
		a.log.Warn("reject delivery", "key", d.Key, "err", err)
	}
}

func (a *Archiver) ack(d *queue.Delivery) {
	if err := d.Ack(); err != nil {
		// Redelivered later, and archived twice: allowed.
		a.log.Warn("ack delivery", "key", d.Key, "err", err)
	}
}

func (a *Archiver) flushAged(ctx context.Context) error {
	a.buf.sealAged(a.now(), a.cfg.MaxChunkAge)
	return a.flush(ctx)
}

// flush tries once each sealed chunk whose tenant is not backing off, in order, and
// acknowledges the deliveries they complete. A chunk that fails is kept, and its tenant
// waits a backoff while the other tenants' chunks go on; a chunk that keeps failing is
// given up, its deliveries rejected to the dead letters. It fails only when ctx ends.
func (a *Archiver) flush(ctx context.Context) error {
	now := a.now()
	for i := 0; i < len(a.buf.sealed); {
		c := a.buf.sealed[i]
		if due, ok := a.due[c.id.tenant]; ok && due.After(now) {
			i++
			continue
		}
		err := a.write(ctx, c)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err == nil:
			a.written(i)
		case a.failed(c, err):
			a.abandon(i, err)
			// The tenant is broken: its other chunks are tried now, and given up at
			// their first failure, rather than one per backoff.
			delete(a.due, c.id.tenant)
		default:
			i++
		}
	}
	return nil
}

// flushAll flushes until every sealed chunk is written or given up, waiting out the
// backoffs. It fails only when ctx ends.
func (a *Archiver) flushAll(ctx context.Context) error {
	for {
		if err := a.flush(ctx); err != nil {
			return err
		}
		if len(a.buf.sealed) == 0 {
			return nil
		}
		t := time.NewTimer(a.untilDue())
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// untilDue is how long until the first backing-off tenant may be tried again; at most
// maxSleep, so that an injected clock that jumps is noticed.
func (a *Archiver) untilDue() time.Duration {
	wait := maxSleep
	now := a.now()
	for _, due := range a.due {
		wait = min(wait, max(due.Sub(now), 0))
	}
	return wait
}

// written drops sealed chunk i, now durable, and acknowledges what it completed.
func (a *Archiver) written(i int) {
	c, done := a.buf.written(i)
	a.health.Succeeded(tenant.IDOfKey(c.id.tenant))
	delete(a.due, c.id.tenant)
	a.metrics.buffered.Set(float64(a.buf.bytes))
	a.metrics.chunks.WithLabelValues(c.reason).Inc()
	a.metrics.events.WithLabelValues(tenant.IDOfKey(c.id.tenant)).Add(float64(c.events))
	a.metrics.rawBytes.WithLabelValues(tenant.IDOfKey(c.id.tenant)).Add(float64(c.size))
	a.metrics.storedBytes.WithLabelValues(tenant.IDOfKey(c.id.tenant)).Add(float64(len(c.compressed)))
	for _, d := range done {
		a.ack(d)
	}
}

// failed records a failed write of c, backs its tenant off, and reports whether c is to be
// given up.
func (a *Archiver) failed(c *chunk, err error) bool {
	a.metrics.putErrors.Inc()
	backoff := a.health.Failed(tenant.IDOfKey(c.id.tenant), err)
	a.due[c.id.tenant] = a.now().Add(backoff)
	a.health.Fail(&c.failed)
	c.lastErr = err
	if a.health.GiveUp(tenant.IDOfKey(c.id.tenant), c.failed) {
		return true
	}
	a.log.Warn("write chunk; tenant held, retrying", "tenant", c.id.tenant, "stream", c.id.stream, "key", c.key,
		"attempts", c.failed.Failures, "retry_in", backoff, "err", err)
	return false
}

// abandon gives up sealed chunk i: its deliveries go to the dead letters with the reason.
// Their events in other chunks are still written; replaying a dead letter archives them
// twice, with the same ids, which readers drop.
func (a *Archiver) abandon(i int, err error) {
	c, dead := a.buf.abandon(i)
	a.metrics.buffered.Set(float64(a.buf.bytes))
	cause := fmt.Errorf("archive events of tenant %s stream %s: gave up on chunk %s after %d failed writes in %s: %w",
		c.id.tenant, c.id.stream, c.key, c.failed.Failures, a.now().Sub(c.failed.Since).Round(time.Millisecond), err)
	for _, d := range dead {
		a.health.DeadLettered(tenant.IDOfKey(c.id.tenant))
		a.metrics.rejected.WithLabelValues("unwritable").Inc()
		a.log.Error("dead-letter event batch", "tenant", c.id.tenant, "key", d.Key, "err", cause)
		if rerr := d.Reject(cause); rerr != nil {
			a.log.Warn("reject delivery", "key", d.Key, "err", rerr)
		}
	}
}

// write compresses c (once) and puts it.
func (a *Archiver) write(ctx context.Context, c *chunk) error {
	start := time.Now()
	if c.key == "" {
		// Fails only past the year 10889 or when crypto/rand does, which it does not.
		id, err := ulid.New(ulid.Timestamp(a.now()), a.entropy)
		if err != nil {
			return fmt.Errorf("chunk id: %w", err)
		}
		c.key = ChunkKey(c.id.tenant, c.id.stream, time.Unix(c.id.hour, 0), id)
		a.scratch = c.data.appendTo(a.scratch[:0])
		c.compressed = a.enc.EncodeAll(a.scratch, nil)
		c.data = nil
	}
	if err := a.bucket.Put(ctx, c.key, c.compressed); err != nil {
		return fmt.Errorf("write chunk %s: %w", c.key, err)
	}
	a.metrics.flushSeconds.Observe(time.Since(start).Seconds())
	return nil
}
