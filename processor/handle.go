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

// converted is the output of one raw batch, waiting to be published.
type converted struct {
	msgs       []queue.Message
	tenant     string
	sourceType string
	stats      Stats
}

// handle processes the deliveries of one Receive in order, acknowledging each once its
// events are published and rejecting those that can never be processed. It holds a
// delivery while the directory or publishing fails for a reason that may pass; when it stops
// early (ctx ended, or a queue that cannot serve it), it nacks what it has not finished.
func (p *Processor) handle(ctx context.Context, log *slog.Logger, t *Transformer, ds []*queue.Delivery) error {
	for i, d := range ds {
		if d.Attempt > p.cfg.MaxAttempts {
			p.reject(log, d, reasonMaxAttempts, fmt.Errorf(
				"delivered %d times without being acknowledged (the processor may crash on it)", d.Attempt))
			continue
		}
		out, err := p.convert(ctx, log, t, d)
		if ctx.Err() != nil {
			p.nack(log, ds[i:], ctx.Err())
			return errStop
		}
		if err != nil {
			p.reject(log, d, poisonReason(err), err)
			continue
		}
		if err := p.publish(ctx, log, d.Key, out.msgs); err != nil {
			p.nack(log, ds[i:], err)
			if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
				return errStop
			}
			// ErrUnknownTopic or ErrTooLarge: a configuration error that retrying cannot
			// cure; stopping tells the operator.
			return fmt.Errorf("publish event batch: %w", err)
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
func (p *Processor) convert(ctx context.Context, log *slog.Logger, t *Transformer, d *queue.Delivery) (converted, error) {
	start := time.Now()
	var raw trollyv1.RawBatch
	if err := proto.Unmarshal(d.Body, &raw); err != nil {
		return converted{}, fmt.Errorf("%w: %w", errUndecodable, err)
	}
	stream, err := p.stream(ctx, log, &raw)
	switch {
	case errors.Is(err, ErrUnknownSourceType):
		return converted{}, fmt.Errorf("batch %s: %w %q", raw.GetId(), err, raw.GetSourceType())
	case err != nil:
		return converted{}, fmt.Errorf("batch %s: %w", raw.GetId(), err)
	}
	out, st, err := t.ProcessStream(&raw, stream)
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

// stream returns the parsing of raw's stream. It waits out a directory that cannot answer
// (not loaded yet, or down) with capped backoff, holding the raw batch as publishOne does:
// its settings may redact or drop, so it is never parsed without them.
func (p *Processor) stream(ctx context.Context, log *slog.Logger, raw *trollyv1.RawBatch) (*Stream, error) {
	backoff := p.cfg.RetryMin
	for {
		st, err := p.streams.get(ctx, raw.GetTenantId(), raw.GetStream(), raw.GetSourceType())
		if !errors.Is(err, errDirectory) {
			return st, err
		}
		p.metrics.directoryErrors.Inc()
		log.Warn("look up stream settings; retrying", "err", err, "tenant", raw.GetTenantId(),
			"stream", raw.GetStream(), "retry_in", backoff)
		if !p.sleep(ctx, &backoff) {
			return nil, ctx.Err()
		}
	}
}

// split cuts b into batches of at most maxBytes once encoded; an event too large on its
// own gets a batch of its own. A batch without events gives none.
func split(b *trollyv1.EventBatch, maxBytes int) []*trollyv1.EventBatch {
	if len(b.GetEvents()) == 0 {
		return nil
	}
	header := proto.Size(&trollyv1.EventBatch{BatchId: b.GetBatchId(), TenantId: b.GetTenantId(), TenantKey: b.GetTenantKey(), Stream: b.GetStream()})
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
			cur = &trollyv1.EventBatch{BatchId: b.GetBatchId(), TenantId: b.GetTenantId(), TenantKey: b.GetTenantKey(), Stream: b.GetStream()}
			parts = append(parts, cur)
			size = header
		}
		cur.Events = append(cur.Events, ev)
		size += n
	}
	return parts
}
