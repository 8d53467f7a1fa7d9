package processor

import (
	"errors"
	"fmt"
	"runtime"
	"time"
)

// Config configures the processor.
type Config struct {
	// Workers is how many raw batches are processed at once; 0 means GOMAXPROCS.
	Workers int `yaml:"workers"`
	// BatchSize is how many raw batches a worker receives at once; their event batches are
	// published in one call.
	BatchSize int `yaml:"batch_size"`
	// RetryMin and RetryMax bound the backoff between publish attempts while the events
	// topic is full or the queue fails; the raw batch is held meanwhile.
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
	// MaxMessageBytes splits the event batch of a large raw batch into messages of at most
	// this size (Kafka's default limit is about 1 MiB); an event larger on its own still
	// travels alone.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// MaxAttempts rejects to the dead letters a raw batch delivered more often than this
	// without being acknowledged: processing it may crash the processor, and the crash loop
	// would block its stream.
	MaxAttempts int `yaml:"max_attempts"`
}

// Defaults of Config; Workers defaults to GOMAXPROCS.
const (
	DefaultBatchSize = 16
	DefaultRetryMin  = 10 * time.Millisecond
	DefaultRetryMax  = 2 * time.Second
	// DefaultMaxMessageBytes leaves room under Kafka's default message.max.bytes.
	DefaultMaxMessageBytes = 1000 << 10
	DefaultMaxAttempts     = 10
)

// DefaultConfig returns the configuration used for keys left unset.
func DefaultConfig() Config {
	c := Config{}
	c.ApplyDefaults()
	return c
}

// ApplyDefaults sets every key that is zero to its default.
func (c *Config) ApplyDefaults() {
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.RetryMin == 0 {
		c.RetryMin = DefaultRetryMin
	}
	if c.RetryMax == 0 {
		c.RetryMax = max(DefaultRetryMax, c.RetryMin)
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
}

// Validate reports every key that is out of range; zero keys are valid (they take their
// default).
func (c Config) Validate() error {
	var errs []error
	if c.Workers < 0 {
		errs = append(errs, errors.New("workers: must be >= 0"))
	}
	if c.BatchSize < 0 {
		errs = append(errs, errors.New("batch_size: must be >= 0"))
	}
	if c.RetryMin < 0 {
		errs = append(errs, errors.New("retry_min: must be >= 0"))
	}
	if c.RetryMax < 0 {
		errs = append(errs, errors.New("retry_max: must be >= 0"))
	}
	if c.MaxMessageBytes < 0 {
		errs = append(errs, errors.New("max_message_bytes: must be >= 0"))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, errors.New("max_attempts: must be > 0"))
	}
	if c.RetryMin > 0 && c.RetryMax > 0 && c.RetryMax < c.RetryMin {
		errs = append(errs, fmt.Errorf("retry_max: must be >= retry_min (%s)", c.RetryMin))
	}
	return errors.Join(errs...)
}
