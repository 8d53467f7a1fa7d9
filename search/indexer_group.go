package search

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
	"github.com/trolly-logs/trolly/tenant"
)

// work is what one tenant's deliveries of a Receive need written: its events by index.
type work struct {
	ds     []*queue.Delivery
	groups map[string][]Doc
}

// group decodes the event batches of ds and groups their events by tenant and index, named
// from the batch's tenant key (stamped upstream from a credential, never taken from the
// events) and the event's timestamp. Deliveries that can never be indexed are rejected to
// the dead letters at once, so that they do not block their stream; the others are kept
// in their tenant's work, to settle after the write. It fails only when ctx ends,
// returning as kept every delivery it holds.
func (ix *Indexer) group(ctx context.Context, ds []*queue.Delivery) (byTenant map[string]*work, kept []*queue.Delivery, err error) {
	byTenant = map[string]*work{}
	tenants := map[string]tenant.Tenant{}
	for i, d := range ds {
		var batch trollyv1.EventBatch
		if err := proto.Unmarshal(d.Body, &batch); err != nil {
			ix.reject(d, reasonUndecodable, fmt.Errorf("decode event batch: %w", err), "key", d.Key)
			continue
		}
		// The events hold copies of what they need, and a queue dead-letters its own copy
		// of the message: the body would only stay in memory until the write is settled.
		d.Body = nil
		id := batch.GetTenantId()
		t, ok := tenants[id]
		if !ok {
			t, err = ix.lookupTenant(ctx, id, len(ds)-i+len(kept))
			if errors.Is(err, tenant.ErrNotFound) {
				ix.reject(d, reasonUnknownTenant, fmt.Errorf("event batch %s of tenant %q: %w", batch.GetBatchId(), id, err),
					"tenant", id, "batch", batch.GetBatchId())
				continue
			}
			if err != nil {
				return nil, append(kept, ds[i:]...), err
			}
			tenants[id] = t
		}
		if key := batch.GetTenantKey(); key != "" && key != t.Key {
			// The tenant was deleted since the batch was accepted, and made again: its
			// events are not the new tenant's.
			ix.reject(d, reasonUnknownTenant, fmt.Errorf("event batch %s of tenant %q: key %s is not the tenant's key now: %w",
				batch.GetBatchId(), id, key, tenant.ErrNotFound), "tenant", id, "batch", batch.GetBatchId())
			continue
		}
		kept = append(kept, d)
		w := byTenant[t.ID]
		if w == nil {
			w = &work{groups: map[string][]Doc{}}
			byTenant[t.ID] = w
		}
		w.ds = append(w.ds, d)
		for _, ev := range batch.GetEvents() {
			doc := Doc{ID: ev.GetId(), Timestamp: time.Unix(0, ev.GetTimestampUnixNano()).UTC(), Source: ev.GetSource()}
			if err := doc.Validate(); err != nil {
				// Dropped, not rejected: rejecting the batch would lose its good events.
				ix.m.dropped.WithLabelValues(reasonInvalidEvent).Inc()
				ix.logger.Warn("drop event", "reason", reasonInvalidEvent, "err", err, "tenant", t.ID, "batch", batch.GetBatchId())
				continue
			}
			doc.Validated = true
			name := IndexName(t.Key, doc.Timestamp, t.Retention.SearchDays)
			w.groups[name] = append(w.groups[name], doc)
		}
	}
	return byTenant, kept, nil
}

// lookupTenant looks a tenant up, retrying while the directory fails (the deliveries wait,
// held). It returns the tenant, an error wrapping tenant.ErrNotFound, or ctx's error.
func (ix *Indexer) lookupTenant(ctx context.Context, id string, held int) (tenant.Tenant, error) {
	var t tenant.Tenant
	var notFound error
	err := ix.retry(ctx, held, func() error {
		var err error
		t, err = ix.dir.Tenant(ctx, id)
		if errors.Is(err, tenant.ErrNotFound) {
			notFound = err
			return nil
		}
		if err != nil {
			return fmt.Errorf("look up tenant %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return tenant.Tenant{}, err
	}
	return t, notFound
}

// reject moves a delivery that can never be indexed to the dead letters, with its cause.
func (ix *Indexer) reject(d *queue.Delivery, reason string, cause error, attrs ...any) {
	ix.m.rejected.WithLabelValues(reason).Inc()
	ix.logger.Warn("reject delivery", append([]any{"reason", reason, "err", cause, "attempt", d.Attempt}, attrs...)...)
	if err := d.Reject(cause); err != nil {
		ix.logger.Warn("reject delivery to the dead letters", "err", err)
	}
}
