package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trolly-logs/trolly/config"
	"github.com/trolly-logs/trolly/queue"
)

// deadLetter is how `trolly dead-letters` prints one: a JSON line.
type deadLetter struct {
	Topic   string    `json:"topic"`
	Group   string    `json:"group"`
	Key     string    `json:"key"`
	Attempt int       `json:"attempt"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
	Body    []byte    `json:"body"` // base64 in JSON
}

// deadLetters reads dead letters from the configured queue, removing them: it prints them
// as JSON lines, or with --requeue publishes each back to its topic (once its cause is
// fixed; the groups that had processed it see it again, which idempotent ids absorb).
func deadLetters(ctx context.Context, args, environ []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trolly dead-letters", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "YAML configuration")
	max := fs.Int("max", 100, "dead letters to read at most")
	requeue := fs.Bool("requeue", false, "publish them back to their topics instead of printing them")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || *max < 1 {
		fmt.Fprintln(stderr, "usage: trolly dead-letters [--config FILE] [--max N] [--requeue]")
		return exitUsage
	}
	cfg, err := loadConfig(*configPath, "", environ)
	if err != nil {
		fmt.Fprintf(stderr, "trolly: %v\n", err)
		return exitUsage
	}
	if cfg.Queue.Driver == config.QueueMemoryTestOnly {
		fmt.Fprintln(stderr, "trolly dead-letters: the memory queue keeps its dead letters inside the running `trolly all`; they are counted by trolly_queue_dead_letters_total and logged")
		return exitUsage
	}
	b := &builder{cfg: cfg, log: newLogger(cfg.Log, stderr), reg: prometheus.NewRegistry(), layers: map[string]bool{}}
	defer b.close()
	if err := b.open(ctx, "dead-letters"); err != nil {
		fmt.Fprintf(stderr, "trolly dead-letters: %v\n", err)
		return exitFailure
	}
	if err := b.openQueue(ctx, "dead-letters"); err != nil {
		fmt.Fprintf(stderr, "trolly dead-letters: %v\n", err)
		return exitFailure
	}
	dls, err := b.q.DeadLetters(ctx, *max)
	if err != nil {
		fmt.Fprintf(stderr, "trolly dead-letters: %v\n", err)
		return exitFailure
	}
	return settleDeadLetters(ctx, b.q, dls, *requeue, stdout, b.log)
}

func settleDeadLetters(ctx context.Context, q queue.Queue, dls []queue.DeadLetter, requeue bool, stdout io.Writer, log *slog.Logger) int {
	enc := json.NewEncoder(stdout)
	for i, dl := range dls {
		if requeue {
			if err := q.Publish(ctx, dl.Topic, dl.Message); err != nil {
				log.Error("requeue dead letter; the rest are printed so that none is lost", "topic", dl.Topic, "key", dl.Key, "err", err)
				for _, rest := range dls[i:] {
					_ = enc.Encode(printable(rest))
				}
				return exitFailure
			}
			continue
		}
		if err := enc.Encode(printable(dl)); err != nil {
			log.Error("print dead letter", "err", err)
			return exitFailure
		}
	}
	if requeue {
		fmt.Fprintf(stdout, "%d dead letters sent back to their topics\n", len(dls))
	}
	return exitOK
}

func printable(dl queue.DeadLetter) deadLetter {
	return deadLetter{Topic: dl.Topic, Group: dl.Group, Key: dl.Key, Attempt: dl.Attempt, Reason: dl.Reason, At: dl.At, Body: dl.Body}
}
