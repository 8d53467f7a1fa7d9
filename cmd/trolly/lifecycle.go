package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/trolly-logs/trolly/config"
	"github.com/trolly-logs/trolly/internal/httpx"
	"github.com/trolly-logs/trolly/queue"
)

// stage is a set of components that stop together.
type stage struct {
	name       string
	components []namedRun
	// seal lists the topics this stage consumes: on a queue that drains, sealing them lets
	// the stage finish what is queued and stop by itself.
	seal []string

	cancel   context.CancelFunc
	stopping atomic.Bool
	done     chan struct{}
	errs     chan error
}

type namedRun struct {
	name string
	run  func(context.Context) error
}

func (s *stage) add(name string, run func(context.Context) error) {
	s.components = append(s.components, namedRun{name, run})
}

// start runs every component; failed receives the error of any that stops on its own.
func (s *stage) start(failed chan<- error) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done, s.errs = cancel, make(chan struct{}), make(chan error, len(s.components))
	remaining := make(chan struct{}, len(s.components))
	for _, c := range s.components {
		go func() {
			err := c.run(ctx)
			if err == nil && !s.stopping.Load() {
				err = errors.New("stopped unexpectedly")
			}
			if err != nil {
				err = fmt.Errorf("%s: %w", c.name, err)
				s.errs <- err
				select {
				case failed <- err:
				default:
				}
			}
			remaining <- struct{}{}
		}()
	}
	go func() {
		for range s.components {
			<-remaining
		}
		close(s.done)
	}()
}

// stop ends the stage. When drain is set and the queue can drain, it seals the stage's
// topics, so that its components stop once those are empty, and cancels them when
// deadline ends first: cut reports that, as what the topics hold was left in the queue.
// Otherwise it cancels them at once.
func (s *stage) stop(deadline context.Context, sealer queue.Sealer, drain bool) (cut bool, err error) {
	s.stopping.Store(true)
	if drain && sealer != nil && len(s.seal) > 0 {
		for _, t := range s.seal {
			sealer.Seal(t)
		}
		select {
		case <-s.done:
		case <-deadline.Done():
			select {
			case <-s.done:
			default:
				cut = true
			}
		}
	}
	s.cancel()
	<-s.done
	close(s.errs)
	var errs []error
	for err := range s.errs {
		errs = append(errs, err)
	}
	return cut, errors.Join(errs...)
}

// serve runs cmd's layers until ctx ends or one fails, then stops them in order.
func serve(ctx context.Context, cmd string, cfg *config.Config, stderr io.Writer) int {
	log := newLogger(cfg.Log, stderr)
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	b := &builder{cfg: cfg, log: log, reg: reg, layers: map[string]bool{}}
	for _, l := range targets[cmd] {
		b.layers[l] = true
	}
	defer func() {
		if err := b.close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	lns, err := b.listen()
	if err == nil {
		err = b.open(ctx, cmd)
	}
	var stages []*stage
	if err == nil {
		stages, err = b.stages(lns)
	}
	if err != nil {
		log.Error("start", "err", err)
		return exitFailure
	}

	health := &httpx.Health{}
	for _, check := range b.ready {
		health.Check(check)
	}
	adminCtx, stopAdmin := context.WithCancel(context.Background())
	adminDone := make(chan error, 1)
	go func() {
		adminDone <- serveAdmin(adminCtx, lns.admin, cfg.Admin.HTTP, reg, health, log.With("component", "admin"))
	}()

	failed := make(chan error, 1)
	for i := len(stages) - 1; i >= 0; i-- { // downstream first, so nothing waits on a missing consumer
		stages[i].start(failed)
	}
	health.SetReady(true)
	log.Info("trolly started", "command", cmd, "layers", targets[cmd], "data_dir", cfg.DataDir, "admin", lns.admin.Addr().String())

	code := exitOK
	select {
	case <-ctx.Done():
		log.Info("stopping: draining in-flight batches", "timeout", cfg.ShutdownTimeout)
	case err := <-failed:
		log.Error("stopping: a component failed", "err", err)
		code = exitFailure
	}
	health.SetReady(false)
	if !stopStages(stages, b.q, cfg.ShutdownTimeout, code == exitOK, log) {
		code = exitFailure
	}
	stopAdmin()
	<-adminDone
	log.Info("trolly stopped", "exit_code", code)
	return code
}

// stopStages stops the stages in order, draining the queue for up to timeout when drain
// is set, and reports whether they stopped cleanly. A durable queue keeps what was not
// drained in time for the next start; the in-memory one loses it, which is a failure.
func stopStages(stages []*stage, q queue.Queue, timeout time.Duration, drain bool, log *slog.Logger) bool {
	deadline, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	sealer, _ := q.(queue.Sealer)
	durable := queue.IsDurable(q)
	ok, drained := true, false
	var cut []string
	for _, s := range stages {
		c, err := s.stop(deadline, sealer, drain)
		if err != nil {
			log.Error("stop", "stage", s.name, "err", err)
			ok = false
		}
		if c {
			cut = append(cut, s.name)
		}
		drained = drained || drain && sealer != nil && len(s.seal) > 0
	}
	switch {
	case len(cut) == 0:
		if drained {
			log.Info("stopped with the queue drained")
		}
	case durable:
		log.Info("stopped before the queue was drained; what is not processed is left in the queue for the next start",
			"timeout", timeout, "stages", cut)
	default:
		log.Error("stopped before the queue was drained; the in-memory queue loses what it held",
			"timeout", timeout, "stages", cut)
		ok = false
	}
	return ok
}
