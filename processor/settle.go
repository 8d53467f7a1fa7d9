package processor

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/queue"
)

// errUndecodable is the cause of rejecting a raw batch that is not a RawBatch envelope.
var errUndecodable = errors.New("undecodable raw batch")

// Reasons for rejecting a raw batch, the values of the poison metric's reason label.
const (
	reasonUndecodable       = "undecodable"
	reasonUnknownSourceType = "unknown_source_type"
	reasonInvalidBatch      = "invalid_batch"
	reasonUnencodable       = "unencodable"
	reasonMaxAttempts       = "max_attempts"
	reasonInvalidSettings   = "invalid_settings"
)

// poisonReason labels an error of convert, which is always about the batch itself.
func poisonReason(err error) string {
	switch {
	case errors.Is(err, errUndecodable):
		return reasonUndecodable
	case errors.Is(err, ErrUnknownSourceType):
		return reasonUnknownSourceType
	case errors.Is(err, ErrInvalidBatch):
		return reasonInvalidBatch
	case errors.Is(err, ErrInvalidSettings):
		return reasonInvalidSettings
	}
	return reasonUnencodable
}

// reject moves a raw batch that can never be processed to the dead letters with its
// cause, so that it does not block the stream behind it.
func (p *Processor) reject(log *slog.Logger, d *queue.Delivery, reason string, cause error) {
	p.metrics.poison.WithLabelValues(reason).Inc()
	log.Error("reject poison raw batch", "reason", reason, "err", cause, "key", d.Key,
		"attempt", d.Attempt, "bytes", len(d.Body))
	if err := d.Reject(cause); err != nil {
		// It comes back, and is rejected again.
		log.Warn("reject raw batch", "err", err, "key", d.Key)
	}
}

// nack returns unfinished deliveries to their group when the processor stops.
func (p *Processor) nack(log *slog.Logger, ds []*queue.Delivery, cause error) {
	for _, d := range ds {
		if err := d.Nack(cause); err != nil && !errors.Is(err, queue.ErrClosed) {
			log.Warn("nack raw batch", "err", err, "key", d.Key)
		}
	}
}

// publish publishes msgs on the events topic one at a time, so that no call exceeds what a
// message may weigh. It returns ctx's error, or one that retrying cannot cure.
func (p *Processor) publish(ctx context.Context, log *slog.Logger, key string, msgs []queue.Message) error {
	for _, m := range msgs {
		if err := p.publishOne(ctx, log, key, m); err != nil {
			return err
		}
	}
	return nil
}

// publishOne waits out a full topic and any failure that may pass (a broker that is down)
// with capped backoff, holding the raw batch meanwhile: a nack would redeliver it with a
// growing Attempt, and an outage must not push good batches to the dead letters.
func (p *Processor) publishOne(ctx context.Context, log *slog.Logger, key string, m queue.Message) error {
	backoff := p.cfg.RetryMin
	for {
		err := p.q.Publish(ctx, queue.TopicEvents, m)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, queue.ErrClosed), errors.Is(err, queue.ErrUnknownTopic), errors.Is(err, queue.ErrTooLarge):
			return err
		case errors.Is(err, queue.ErrFull):
			p.metrics.publishRetries.Inc()
		default:
			p.metrics.publishErrors.Inc()
			log.Warn("publish event batch; retrying", "err", err, "key", key, "retry_in", backoff)
		}
		if !p.sleep(ctx, &backoff) {
			return ctx.Err()
		}
	}
}

func (p *Processor) count(c converted) {
	m := p.metrics
	m.events.WithLabelValues(c.tenant, c.sourceType).Add(float64(c.stats.Events))
	if c.stats.ParseFailures > 0 {
		m.parseFailures.WithLabelValues(c.tenant, c.sourceType).Add(float64(c.stats.ParseFailures))
	}
	for _, n := range []struct {
		v int
		c *prometheus.CounterVec
	}{
		{c.stats.TimestampFailures, m.timestampFailures},
		{c.stats.Clamped, m.clamped},
		{c.stats.Joined, m.joined},
		{c.stats.Dropped, m.dropped},
	} {
		if n.v > 0 {
			n.c.WithLabelValues(c.tenant, c.sourceType).Add(float64(n.v))
		}
	}
}
