package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/internal/sink"
	"github.com/trolly-logs/trolly/queue"
)

// receiveMax is how many deliveries one Receive may return.
const receiveMax = 64

// errStopping is the cause given to the queue for deliveries left unfinished at a stop.
var errStopping = errors.New("archiver stopping")

// Archiver consumes the events topic and writes each tenant stream's events, per UTC
// hour of their timestamps, as zstd-compressed NDJSON chunks to a Bucket. A delivery is
// acknowledged once every chunk holding one of its events is durable.
//
// A redelivered batch is archived again: the archive may hold duplicates, which carry
// the same event.id, so that readers (replay into search) can drop them. An envelope that
// can never be archived is rejected to the dead letters with its reason.
//
// Unlike the processor, the archiver does not reject a delivery for its Attempt: what it
// fails on is the bucket, whose writes it holds and retries, never the envelope, which the
// processor built; rejecting by Attempt would dead-letter good batches after restarts
// during an outage. A tenant whose chunks fail to write backs off alone, the other
// tenants' chunks going on, and a chunk that keeps failing while others are written is
// given up to the dead letters (see sink.Policy).
type Archiver struct {
	cfg     ArchiverConfig
	q       queue.Queue
	bucket  Bucket
	log     *slog.Logger
	metrics *archiverMetrics
	health  *sink.Tracker
	now     func() time.Time

	// Owned by Run.
	buf     *buffer
	enc     *zstd.Encoder
	entropy *ulid.MonotonicEntropy
	scratch []byte // a chunk's NDJSON in one piece, for the encoder
	// due holds the tenants whose last write failed: none of their chunks is tried
	// before the time given.
	due map[string]time.Time
}

// NewArchiver returns an Archiver; cfg's zero fields take their defaults. A nil logger
// discards, a nil reg registers no metrics and a nil now is time.Now.
func NewArchiver(cfg ArchiverConfig, q queue.Queue, b Bucket, logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *Archiver {
	cfg.ApplyDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Archiver{
		cfg:     cfg,
		q:       q,
		bucket:  b,
		log:     logger.With("component", "archiver"),
		metrics: newArchiverMetrics(reg),
		health:  sink.NewTracker("archiver", cfg.Policy, cfg.RetryMinBackoff, cfg.RetryMaxBackoff, now, reg),
		now:     now,
		due:     map[string]time.Time{},
	}
}

// Ready returns nil unless every write has failed for longer than unready_after.
func (a *Archiver) Ready() error { return a.health.Ready() }

// received is the result of one Receive.
type received struct {
	ds  []*queue.Delivery
	err error
}

// Run archives until ctx ends or the topic is sealed and drained. When ctx ends it writes
// what it holds within StopTimeout, nacks what it could not, and returns nil; after a
// drain it returns nil once everything is written (on a durable queue, also when ctx ends
// first, as above). Run is not for concurrent calls: run several Archivers instead.
func (a *Archiver) Run(ctx context.Context) error {
	if err := a.cfg.Validate(); err != nil {
		return fmt.Errorf("archiver config: %w", err)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		return fmt.Errorf("archiver encoder: %w", err)
	}
	defer enc.Close()
	a.enc, a.buf, a.entropy = enc, newBuffer(a.cfg.MaxChunkBytes), ulid.Monotonic(rand.Reader, 0)

	if err := a.q.Declare(ctx, queue.TopicEvents, queue.GroupArchiver); err != nil {
		return a.startErr(ctx, fmt.Errorf("declare %s: %w", queue.TopicEvents, err))
	}
	cons, err := a.q.Subscribe(ctx, queue.TopicEvents, queue.GroupArchiver)
	if err != nil {
		return a.startErr(ctx, fmt.Errorf("subscribe %s/%s: %w", queue.TopicEvents, queue.GroupArchiver, err))
	}
	defer func() {
		if err := cons.Close(); err != nil && !errors.Is(err, queue.ErrClosed) {
			a.log.Warn("close consumer", "err", err)
		}
	}()

	recvCtx, stopRecv := context.WithCancel(ctx)
	results := make(chan received)
	var wg sync.WaitGroup
	wg.Go(func() { a.receive(recvCtx, cons, results) })
	defer wg.Wait()
	defer stopRecv()
	return a.loop(ctx, results)
}

func (a *Archiver) startErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// receive feeds the loop; Receive blocks, and the loop must keep its timer running.
func (a *Archiver) receive(ctx context.Context, cons queue.Consumer, out chan<- received) {
	for {
		ds, err := cons.Receive(ctx, receiveMax)
		select {
		case out <- received{ds, err}:
		case <-ctx.Done():
			a.nack(ds, errStopping)
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *Archiver) loop(ctx context.Context, results <-chan received) error {
	timer := time.NewTimer(a.untilNextAge())
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return a.stop(ctx)
		case r := <-results:
			if err := a.handle(ctx, r.ds); err != nil {
				return a.stop(ctx)
			}
			switch {
			case r.err == nil:
			case errors.Is(r.err, queue.ErrClosed):
				return a.drain(ctx)
			case ctx.Err() != nil:
				return a.stop(ctx)
			default:
				_ = a.stop(ctx)
				return fmt.Errorf("receive %s: %w", queue.TopicEvents, r.err)
			}
		case <-timer.C:
		}
		if err := a.flushAged(ctx); err != nil {
			return a.stop(ctx)
		}
		timer.Reset(a.untilNextAge())
	}
}

// maxSleep caps the loop's sleep, so that a clock that jumps (or an injected one that a
// test moves) is noticed within it.
const maxSleep = time.Second

// untilNextAge is how long the loop may sleep before an open chunk or a backing-off
// tenant is due.
func (a *Archiver) untilNextAge() time.Duration {
	limit := min(a.cfg.MaxChunkAge, a.untilDue())
	c := a.buf.oldest()
	if c == nil {
		return limit
	}
	return min(max(c.opened.Add(a.cfg.MaxChunkAge).Sub(a.now()), 0), limit)
}

// drain writes everything once the topic is sealed and empty. When ctx ends first, what
// it could not write is nacked: a durable queue delivers it again after the next start,
// but nothing will redeliver it from any other queue, so that is an error.
func (a *Archiver) drain(ctx context.Context) error {
	a.buf.sealAll(reasonDrain)
	if err := a.flushAll(ctx); err != nil {
		_ = a.stop(ctx)
		if queue.IsDurable(a.q) {
			return nil
		}
		return fmt.Errorf("drain the events topic: %w", err)
	}
	a.log.Info("events topic drained; archive complete")
	return nil
}

// stop writes what it can within StopTimeout and nacks the rest, whose redelivery the
// queue owes.
func (a *Archiver) stop(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.StopTimeout)
	defer cancel()
	a.buf.sealAll(reasonStop)
	if err := a.flushAll(sctx); err != nil {
		a.log.Warn("stopping with unwritten chunks; their events will be redelivered", "chunks", len(a.buf.sealed), "err", err)
	}
	a.nack(a.buf.unfinished(), errStopping)
	a.metrics.buffered.Set(0)
	return nil
}

func (a *Archiver) nack(ds []*queue.Delivery, cause error) {
	for _, d := range ds {
		if err := d.Nack(cause); err != nil {
			a.log.Warn("nack delivery", "err", err)
		}
	}
}
