package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/trolly-logs/trolly/processor/sourcetype"
	"github.com/trolly-logs/trolly/queue"
)

// Processor is the processing layer: workers that consume raw batches and publish events.
type Processor struct {
	cfg         Config
	q           queue.Queue
	logger      *slog.Logger
	metrics     *metrics
	sourceTypes *sourcetype.Registry
	streams     *streams
}

// New returns a processor reading and writing q, with the stream settings of dir (nil: every
// stream is parsed by its source type alone). cfg should have passed Validate; keys out of
// range take their default. A nil logger discards; a nil reg registers no metric. The caller
// declares the topics and groups.
func New(cfg Config, q queue.Queue, dir Directory, logger *slog.Logger, reg prometheus.Registerer) *Processor {
	cfg = sanitize(cfg)
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "processor")
	r := sourcetype.Builtin()
	return &Processor{
		cfg:         cfg,
		q:           q,
		logger:      logger,
		metrics:     newMetrics(reg),
		sourceTypes: r,
		streams:     newStreams(dir, r),
	}
}

func sanitize(cfg Config) Config {
	def := DefaultConfig()
	cfg.ApplyDefaults()
	if cfg.Workers < 0 {
		cfg.Workers = def.Workers
	}
	if cfg.BatchSize < 0 {
		cfg.BatchSize = def.BatchSize
	}
	if cfg.RetryMin < 0 {
		cfg.RetryMin = def.RetryMin
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = cfg.RetryMin
	}
	if cfg.MaxMessageBytes < 0 {
		cfg.MaxMessageBytes = def.MaxMessageBytes
	}
	if cfg.MaxAttempts < 0 {
		cfg.MaxAttempts = def.MaxAttempts
	}
	return cfg
}

// Run processes raw batches until ctx ends or the raw topic is sealed and drained; both
// return nil. Deliveries not yet published when ctx ends are nacked so that they are
// redelivered; a failing publish is retried meanwhile, holding them. Raw batches that can
// never be processed are rejected to the dead letters. It returns an error only for a
// queue that cannot serve it (such as an undeclared topic).
func (p *Processor) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	for i := range p.cfg.Workers {
		g.Go(func() error { return p.work(ctx, i) })
	}
	return g.Wait()
}

// errStop ends a worker without error: the queue is closed or ctx ended.
var errStop = errors.New("stop")

func (p *Processor) work(ctx context.Context, id int) error {
	log := p.logger.With("worker", id)
	c, err := p.q.Subscribe(ctx, queue.TopicRaw, queue.GroupProcessor)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, queue.ErrClosed) {
			return nil
		}
		return fmt.Errorf("subscribe to %s as %s: %w", queue.TopicRaw, queue.GroupProcessor, err)
	}
	defer func() {
		if err := c.Close(); err != nil && !errors.Is(err, queue.ErrClosed) {
			log.Warn("close consumer", "err", err)
		}
	}()
	t := NewTransformer(p.sourceTypes)
	backoff := p.cfg.RetryMin
	for {
		ds, err := c.Receive(ctx, p.cfg.BatchSize)
		switch {
		case err == nil:
		case ctx.Err() != nil, errors.Is(err, queue.ErrClosed):
			return nil
		case errors.Is(err, queue.ErrUnknownTopic):
			return fmt.Errorf("receive raw batches: %w", err)
		default:
			log.Error("receive raw batches", "err", err)
			if !p.sleep(ctx, &backoff) {
				return nil
			}
			continue
		}
		backoff = p.cfg.RetryMin
		if err := p.handle(ctx, log, t, ds); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
}

// sleep waits out the backoff and doubles it up to RetryMax; false means ctx ended.
func (p *Processor) sleep(ctx context.Context, backoff *time.Duration) bool {
	timer := time.NewTimer(*backoff)
	defer timer.Stop()
	*backoff = min(*backoff*2, p.cfg.RetryMax)
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
