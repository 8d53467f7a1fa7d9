package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	trollyv1 "github.com/trolly-logs/trolly/proto/trolly/v1"
	"github.com/trolly-logs/trolly/queue"
)

// errRetry asks the worker to back off before receiving again: a publish failed for a
// reason other than a full topic, and the deliveries were nacked.
var errRetry = errors.New("retry later")

// converted is the output of one raw batch, waiting to be published.
type converted struct {
	msgs       []queue.Message
	tenant     string
	sourceType string
	stats      Stats
}

// handle processes the deliveries of one Receive in order, acknowledging each once its
// events are published. When it stops early, it nacks what it has not finished.
func (p *Processor) handle(ctx context.Context, log *slog.Logger, t *Transformer, ds []*queue.Delivery) error {
	for i, d := range ds {
		out, err := p.convert(t, d)
		if err != nil {
			p.dropPoison(log, d, err)
			continue
		}
		if err := p.publish(ctx, out.msgs); err != nil {
			for _, rest := range ds[i:] {
				if nerr := rest.Nack(err); nerr != nil && !errors.Is(nerr, queue.ErrClosed) {
					log.Warn("nack raw batch", "err", nerr, "key", rest.Key)
				}
			}
			switch {
			case ctx.Err() != nil, errors.Is(err, queue.ErrClosed):
				return errStop
			case errors.Is(err, queue.ErrUnknownTopic), errors.Is(err, queue.ErrTooLarge):
				// A configuration error: retrying cannot help, stopping tells the operator.
				return fmt.Errorf("publish event batch: %w", err)
			}
			log.Error("publish event batch", "err", err, "key", d.Key)
			return errRetry
		}
		if err := d.Ack(); err != nil {
			// The events are published; a redelivery rewrites the same ids.
			log.Warn("ack raw batch", "err", err, "key", d.Key)
		}
		p.count(out)
	}
	return nil
}

// convert decodes a raw batch and encodes its events, in one message or, when large,
// several.
func (p *Processor) convert(t *Transformer, d *queue.Delivery) (converted, error) {
	start := time.Now()
	var raw trollyv1.RawBatch
	if err := proto.Unmarshal(d.Body, &raw); err != nil {
		return converted{}, fmt.Errorf("decode raw batch: %w", err)
	}
	out, st, err := t.Process(&raw)
	if err != nil {
		return converted{}, err
	}
	key := raw.GetTenantId() + "/" + raw.GetStream()
	var msgs []queue.Message // none for a batch without records: it is only acknowledged
	for _, part := range split(out, p.cfg.MaxMessageBytes) {
		body, err := proto.Marshal(part)
		if err != nil {
			return converted{}, fmt.Errorf("encode event batch %s: %w", raw.GetId(), err)
		}
		msgs = append(msgs, queue.Message{Key: key, Body: body})
	}
	p.metrics.batchDuration.Observe(time.Since(start).Seconds())
	return converted{msgs: msgs, tenant: raw.GetTenantId(), sourceType: raw.GetSourceType(), stats: st}, nil
}

// split cuts b into batches of at most maxBytes once encoded; an event too large on its
// own gets a batch of its own. A batch without events gives none.
func split(b *trollyv1.EventBatch, maxBytes int) []*trollyv1.EventBatch {
	if len(b.GetEvents()) == 0 {
		return nil
	}
	header := proto.Size(&trollyv1.EventBatch{BatchId: b.GetBatchId(), TenantId: b.GetTenantId(), Stream: b.GetStream()})
	// An event is encoded as field 4: a one-byte tag, then its length and bytes.
	encoded := func(ev *trollyv1.Event) int { return 1 + protowire.SizeBytes(proto.Size(ev)) }
	size := header
	for _, ev := range b.GetEvents() {
		size += encoded(ev)
	}
	if size <= maxBytes {
		return []*trollyv1.EventBatch{b}
	}
	var parts []*trollyv1.EventBatch
	var cur *trollyv1.EventBatch
	for _, ev := range b.GetEvents() {
		n := encoded(ev)
		if cur == nil || (len(cur.Events) > 0 && size+n > maxBytes) {
			cur = &trollyv1.EventBatch{BatchId: b.GetBatchId(), TenantId: b.GetTenantId(), Stream: b.GetStream()}
			parts = append(parts, cur)
			size = header
		}
		cur.Events = append(cur.Events, ev)
		size += n
	}
	return parts
}

// dropPoison acknowledges a raw batch that can never be processed, so that it does not
// block its stream. Its reason is only logged for now; a dead-letter queue will keep it.
func (p *Processor) dropPoison(log *slog.Logger, d *queue.Delivery, cause error) {
	p.metrics.poison.Inc()
	log.Error("drop poison raw batch", "err", cause, "key", d.Key, "attempt", d.Attempt, "bytes", len(d.Body))
	if err := d.Ack(); err != nil {
		log.Warn("ack poison raw batch", "err", err, "key", d.Key)
	}
}

// publish publishes msgs on the events topic one at a time, so that no call exceeds what a
// message may weigh, waiting while the topic is full.
func (p *Processor) publish(ctx context.Context, msgs []queue.Message) error {
	for _, m := range msgs {
		backoff := p.cfg.RetryMin
		for {
			err := p.q.Publish(ctx, queue.TopicEvents, m)
			if err == nil {
				break
			}
			if !errors.Is(err, queue.ErrFull) {
				return err
			}
			p.metrics.publishRetries.Inc()
			if !p.sleep(ctx, &backoff) {
				return ctx.Err()
			}
		}
	}
	return nil
}

func (p *Processor) count(c converted) {
	m := p.metrics
	m.events.WithLabelValues(c.tenant, c.sourceType).Add(float64(c.stats.Events))
	if c.stats.ParseFailures > 0 {
		m.parseFailures.WithLabelValues(c.tenant, c.sourceType).Add(float64(c.stats.ParseFailures))
	}
	if c.stats.TimestampFailures > 0 {
		m.timestampFailures.WithLabelValues(c.tenant, c.sourceType).Add(float64(c.stats.TimestampFailures))
	}
}
