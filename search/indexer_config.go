package search

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/trolly-logs/trolly/internal/sink"
)

// Defaults of IndexerConfig.
const (
	DefaultIndexerBatchSize    = 16
	DefaultIndexerRetryBackoff = 500 * time.Millisecond
	DefaultIndexerMaxBackoff   = 30 * time.Second
)

// DefaultIndexerWorkers is the number of CPUs, at least two, so that a batch is written
// while another waits for its commit: more workers than CPUs only hold more batches in
// memory (on 2 CPUs, 4 workers took 5% more CPU and 15% more memory than 2).
func DefaultIndexerWorkers() int { return min(max(2, runtime.GOMAXPROCS(0)), maxIndexerWorkers) }

// maxIndexerBatchSize keeps a typo from holding a whole queue in memory.
const maxIndexerBatchSize = 10_000

// maxIndexerWorkers bounds the batches held in memory at once to workers × batch_size.
const maxIndexerWorkers = 64

// IndexerConfig configures the indexer.
type IndexerConfig struct {
	// BatchSize is the most deliveries taken per Receive; their events are grouped by
	// index and written together, one Write per index.
	BatchSize int `yaml:"batch_size"`
	// Workers is how many batches are written at once, each by a consumer of its own:
	// while one waits for its write to be durable, the others read and write theirs.
	Workers int `yaml:"workers"`
	// RetryBackoff is the wait after a failed write of a tenant's events (or a failed
	// tenant lookup) before trying it again, holding the deliveries; it doubles with every
	// failure in a row, up to MaxRetryBackoff.
	RetryBackoff    time.Duration `yaml:"retry_backoff"`
	MaxRetryBackoff time.Duration `yaml:"max_retry_backoff"`
	// Policy: when a held delivery goes to the dead letters, when the indexer is unready.
	sink.Policy `yaml:",inline"`
}

// DefaultIndexerConfig returns the configuration used when none is given.
func DefaultIndexerConfig() IndexerConfig {
	var c IndexerConfig
	c.ApplyDefaults()
	return c
}

// ApplyDefaults sets every zero field to its default.
func (c *IndexerConfig) ApplyDefaults() {
	if c.BatchSize == 0 {
		c.BatchSize = DefaultIndexerBatchSize
	}
	if c.Workers == 0 {
		c.Workers = DefaultIndexerWorkers()
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = DefaultIndexerRetryBackoff
	}
	if c.MaxRetryBackoff == 0 {
		c.MaxRetryBackoff = max(DefaultIndexerMaxBackoff, c.RetryBackoff)
	}
	c.Policy.ApplyDefaults()
}

// Validate reports every invalid field, naming its key.
func (c IndexerConfig) Validate() error {
	var errs []error
	if c.BatchSize < 1 || c.BatchSize > maxIndexerBatchSize {
		errs = append(errs, fmt.Errorf("batch_size: must be between 1 and %d, got %d", maxIndexerBatchSize, c.BatchSize))
	}
	if c.Workers < 1 || c.Workers > maxIndexerWorkers {
		errs = append(errs, fmt.Errorf("workers: must be between 1 and %d, got %d", maxIndexerWorkers, c.Workers))
	}
	if c.RetryBackoff <= 0 {
		errs = append(errs, fmt.Errorf("retry_backoff: must be > 0, got %s", c.RetryBackoff))
	}
	if c.MaxRetryBackoff < c.RetryBackoff {
		errs = append(errs, fmt.Errorf("max_retry_backoff: must be at least retry_backoff (%s), got %s", c.RetryBackoff, c.MaxRetryBackoff))
	}
	errs = append(errs, c.Policy.Validate())
	return errors.Join(errs...)
}
