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

// group decodes the event batches of ds and groups their events by index, named from the
// batch's tenant (stamped upstream from a credential, never taken from the events) and
// the event's timestamp. Deliveries that can never be indexed are logged, counted and
// acknowledged at once; kept are the others, to settle after the write. Until the
// dead-letter queue exists, dropping is the only way not to block the stream.
func (ix *Indexer) group(ctx context.Context, ds []*queue.Delivery) (groups map[string][]Doc, kept []*queue.Delivery, err error) {
	groups = map[string][]Doc{}
	tenants := map[string]tenant.Tenant{}
	for i, d := range ds {
		var batch trollyv1.EventBatch
		if err := proto.Unmarshal(d.Body, &batch); err != nil {
			ix.drop(d, reasonUndecodable, err, "key", d.Key)
			continue
		}
		id := batch.GetTenantId()
		t, ok := tenants[id]
		if !ok {
			t, err = ix.dir.Tenant(ctx, id)
			if errors.Is(err, tenant.ErrNotFound) {
				ix.drop(d, reasonUnknownTenant, err, "tenant", id, "batch", batch.GetBatchId())
				continue
			}
			if err != nil {
				return nil, append(kept, ds[i:]...), fmt.Errorf("look up tenant %s: %w", id, err)
			}
			tenants[id] = t
		}
		kept = append(kept, d)
		for _, ev := range batch.GetEvents() {
			doc := Doc{ID: ev.GetId(), Timestamp: time.Unix(0, ev.GetTimestampUnixNano()).UTC(), Source: ev.GetSource()}
			if err := doc.Validate(); err != nil {
				ix.m.dropped.WithLabelValues(reasonInvalidEvent).Inc()
				ix.logger.Warn("drop event", "reason", reasonInvalidEvent, "err", err, "tenant", t.ID, "batch", batch.GetBatchId())
				continue
			}
			name := IndexName(t.ID, doc.Timestamp, t.RetentionDays)
			groups[name] = append(groups[name], doc)
		}
	}
	return groups, kept, nil
}

// drop acknowledges a delivery that can never be indexed.
func (ix *Indexer) drop(d *queue.Delivery, reason string, err error, attrs ...any) {
	ix.m.dropped.WithLabelValues(reason).Inc()
	ix.logger.Warn("drop delivery", append([]any{"reason", reason, "err", err, "attempt", d.Attempt}, attrs...)...)
	if aerr := d.Ack(); aerr != nil {
		ix.logger.Warn("acknowledge dropped delivery", "err", aerr)
	}
}
