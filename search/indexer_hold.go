package search

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/trolly-logs/trolly/internal/sink"
	"github.com/trolly-logs/trolly/queue"
)

// heldTenant is a tenant whose last write failed: its deliveries wait until due, and the
// events not yet written are then written together. Holding rather than nacking keeps
// their Attempt for what they are (a store that fails is waited out, not bounced), and
// lets the other tenants go on.
type heldTenant struct {
	ds      []*heldDelivery
	groups  map[string][]Doc // not yet written
	due     time.Time
	lastErr error
}

type heldDelivery struct {
	d *queue.Delivery
	sink.Attempts
}

func (h *heldTenant) add(w *work) {
	for _, d := range w.ds {
		h.ds = append(h.ds, &heldDelivery{d: d})
	}
	for name, docs := range w.groups {
		h.groups[name] = append(h.groups[name], docs...)
	}
}

// hold records that writing w of tenant id failed with err; w.groups holds what is left.
func (ix *Indexer) hold(ctx context.Context, id string, w *work, err error) {
	h := &heldTenant{groups: map[string][]Doc{}}
	h.add(w)
	ix.held[id] = h
	ix.failed(ctx, id, h, err)
}

// failed counts a failure on every delivery h holds, gives up those that failed too long,
// and sets when h is tried next.
func (ix *Indexer) failed(ctx context.Context, id string, h *heldTenant, err error) {
	backoff := ix.health.Failed(id, err)
	h.due, h.lastErr = ix.now().Add(backoff), err
	kept := make([]*heldDelivery, 0, len(h.ds))
	for _, hd := range h.ds {
		ix.health.Fail(&hd.Attempts)
		if !ix.health.GiveUp(id, hd.Attempts) {
			kept = append(kept, hd)
			continue
		}
		ix.health.DeadLettered(id)
		cause := fmt.Errorf("index events of tenant %s: gave up after %d failed writes in %s: %w",
			id, hd.Failures, ix.now().Sub(hd.Since).Round(time.Millisecond), err)
		ix.logger.Error("dead-letter delivery", "tenant", id, "attempts", hd.Failures, "err", cause)
		if rerr := hd.d.Reject(cause); rerr != nil {
			ix.logger.Warn("reject delivery to the dead letters", "tenant", id, "err", rerr)
		}
	}
	if len(kept) == 0 {
		delete(ix.held, id)
		return
	}
	if len(kept) < len(h.ds) {
		// The events of what was given up are not written later: group what is left.
		h.groups = map[string][]Doc{}
		ds := make([]*queue.Delivery, len(kept))
		for i, hd := range kept {
			ds[i] = hd.d
		}
		if byTenant, _, gerr := ix.group(ctx, ds); gerr == nil && byTenant[id] != nil {
			h.groups = byTenant[id].groups
		}
	}
	h.ds = kept
	ix.logger.Warn("index events; tenant held, retrying", "tenant", id, "deliveries", len(h.ds), "retry_in", backoff, "err", err)
}

// nextDue returns when the first held tenant is due.
func (ix *Indexer) nextDue() (time.Time, bool) {
	var next time.Time
	for _, h := range ix.held {
		if next.IsZero() || h.due.Before(next) {
			next = h.due
		}
	}
	return next, !next.IsZero()
}

// retryDue writes again the held tenants that are due.
func (ix *Indexer) retryDue(ctx context.Context) {
	now := ix.now()
	for _, id := range slices.Sorted(maps.Keys(ix.held)) {
		if h := ix.held[id]; !h.due.After(now) && ctx.Err() == nil {
			ix.retryTenant(ctx, id, h)
		}
	}
}

func (ix *Indexer) retryTenant(ctx context.Context, id string, h *heldTenant) {
	if err := ix.write(ctx, h.groups); err != nil {
		if ctx.Err() == nil {
			ix.failed(ctx, id, h, err)
		}
		return // when ctx ended, release nacks what is held
	}
	delete(ix.held, id)
	ix.health.Succeeded(id)
	for _, hd := range h.ds {
		ix.ack([]*queue.Delivery{hd.d})
	}
}

// drainHeld settles what is held once the topic is drained: nobody would receive it again,
// so it is written, or dead-lettered, before Run returns. Only the end of ctx stops it.
func (ix *Indexer) drainHeld(ctx context.Context) error {
	for {
		next, ok := ix.nextDue()
		if !ok {
			return nil
		}
		if err := ix.wait(ctx, next.Sub(ix.now())); err != nil {
			return nil
		}
		for _, id := range slices.Sorted(maps.Keys(ix.held)) {
			if h := ix.held[id]; !h.due.After(next) && ctx.Err() == nil {
				ix.retryTenant(ctx, id, h)
			}
		}
	}
}

// release nacks every held delivery; the queue owes their redelivery.
func (ix *Indexer) release() {
	for id, h := range ix.held {
		for _, hd := range h.ds {
			if err := hd.d.Nack(h.lastErr); err != nil {
				ix.logger.Warn("return delivery", "tenant", id, "err", err)
			}
		}
		delete(ix.held, id)
	}
}
