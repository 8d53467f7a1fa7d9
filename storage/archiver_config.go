package storage

import (
	"errors"
	"fmt"
	"time"

	"github.com/trolly-logs/trolly/internal/sink"
)

// maxChunkBytesLimit keeps every chunk readable by ReadChunk, whose limit is twice this.
const maxChunkBytesLimit = 512 << 20

// ArchiverConfig tunes the Archiver. Zero fields take their defaults (ApplyDefaults).
type ArchiverConfig struct {
	// MaxChunkBytes flushes a chunk once its uncompressed NDJSON reaches this size.
	MaxChunkBytes int64 `yaml:"max_chunk_bytes"`
	// MaxChunkAge flushes a chunk once its oldest event has waited this long.
	MaxChunkAge time.Duration `yaml:"max_chunk_age"`
	// MaxBufferedBytes bounds the uncompressed bytes of all chunks not yet written; over
	// it, the largest open chunk is flushed.
	MaxBufferedBytes int64 `yaml:"max_buffered_bytes"`
	// RetryMinBackoff and RetryMaxBackoff bound the wait between attempts to write a
	// chunk; the wait doubles after each failure.
	RetryMinBackoff time.Duration `yaml:"retry_min_backoff"`
	RetryMaxBackoff time.Duration `yaml:"retry_max_backoff"`
	// StopTimeout bounds the last flush when the archiver is stopped.
	StopTimeout time.Duration `yaml:"stop_timeout"`
	// Policy: when a held batch goes to the dead letters, when the archiver is unready.
	sink.Policy `yaml:",inline"`
}

// DefaultArchiverConfig returns the defaults.
func DefaultArchiverConfig() ArchiverConfig {
	return ArchiverConfig{
		MaxChunkBytes:    8 << 20,
		MaxChunkAge:      30 * time.Second,
		MaxBufferedBytes: 128 << 20,
		RetryMinBackoff:  100 * time.Millisecond,
		RetryMaxBackoff:  30 * time.Second,
		StopTimeout:      5 * time.Second,
		Policy: sink.Policy{
			DeadLetterAttempts: sink.DefaultDeadLetterAttempts,
			DeadLetterAge:      sink.DefaultDeadLetterAge,
			UnreadyAfter:       sink.DefaultUnreadyAfter,
		},
	}
}

// ApplyDefaults sets every zero field to its default.
func (c *ArchiverConfig) ApplyDefaults() {
	d := DefaultArchiverConfig()
	setDefault(&c.MaxChunkBytes, d.MaxChunkBytes)
	setDefault(&c.MaxChunkAge, d.MaxChunkAge)
	setDefault(&c.MaxBufferedBytes, d.MaxBufferedBytes)
	setDefault(&c.RetryMinBackoff, d.RetryMinBackoff)
	setDefault(&c.RetryMaxBackoff, d.RetryMaxBackoff)
	setDefault(&c.StopTimeout, d.StopTimeout)
	c.Policy.ApplyDefaults()
}

func setDefault[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// Validate reports every invalid field, naming its key.
func (c ArchiverConfig) Validate() error {
	var errs []error
	if c.MaxChunkBytes <= 0 || c.MaxChunkBytes > maxChunkBytesLimit {
		errs = append(errs, fmt.Errorf("max_chunk_bytes: must be > 0 and <= %d", maxChunkBytesLimit))
	}
	if c.MaxChunkAge <= 0 {
		errs = append(errs, errors.New("max_chunk_age: must be > 0"))
	}
	if c.MaxBufferedBytes < c.MaxChunkBytes {
		errs = append(errs, errors.New("max_buffered_bytes: must be >= max_chunk_bytes"))
	}
	if c.RetryMinBackoff <= 0 {
		errs = append(errs, errors.New("retry_min_backoff: must be > 0"))
	}
	if c.RetryMaxBackoff < c.RetryMinBackoff {
		errs = append(errs, errors.New("retry_max_backoff: must be >= retry_min_backoff"))
	}
	if c.StopTimeout <= 0 {
		errs = append(errs, errors.New("stop_timeout: must be > 0"))
	}
	errs = append(errs, c.Policy.Validate())
	return errors.Join(errs...)
}
